import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { environmentSourceMap } from '../environments/source-map';
import type { PolicyReport } from '../policies/engine';
import { cloudPicture, renderReport } from '../policies/reports';
import { REPO } from './helpers';
import { reportOf, variant } from './policy-fixtures';

/**
 * The HTML report opened in headless Chromium (Debian's `chromium`, which .ci/run installs): the diagrams
 * and the failures list must render, not only be present in the markup.
 */

const CHROMIUM = [process.env.NDC_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => p !== undefined && p !== '' && existsSync(p));
const skip = process.env.NDC_SKIP_BROWSER_TESTS === '1';

let browser: Browser;
let page: Page;
let report: PolicyReport;
let dir: string;
const requested: string[] = [];

beforeAll(async () => {
  if (skip) return;
  if (!CHROMIUM) throw new Error('Chromium not found: install it (apt-get install -y chromium), point NDC_CHROMIUM at it, or set NDC_SKIP_BROWSER_TESTS=1');
  // prod with a DMZ -> database flow: a mandatory failure on one system.
  const f = variant('prod', (input) => {
    input.systems!.find((s) => s.id === 'online-meeting')!.flows!.push({ from: 'dmz', to: 'database', protocol: 'tcp', ports: 5432 });
  });
  report = reportOf(f);
  const failing = new Set(report.findings.filter((x) => x.status === 'fail' && x.systemId).map((x) => x.systemId!));
  const html = renderReport(report, 'html', 'environments/prod.ts', { locations: environmentSourceMap(REPO, 'environments/prod.ts'), picture: cloudPicture(f.context.cloud, report.asOf, failing) });
  dir = mkdtempSync(join(tmpdir(), 'ndc-report-browser-'));
  writeFileSync(join(dir, 'report.html'), html);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const maybe = skip ? it.skip : it;

describe('the HTML report in headless Chromium', () => {
  maybe('loads nothing but itself', () => {
    expect(requested).toEqual([pathToFileURL(join(dir, 'report.html')).href]);
  });

  maybe('shows the failures list first, each failure with its fix and where it is defined', async () => {
    expect(report.mandatoryFailures).toBe(1);
    const items = page.locator('ol.failures > li');
    expect(await items.count()).toBe(report.mandatoryFailures + report.advisoryFailures);
    const first = items.first();
    expect(await first.isVisible()).toBe(true);
    const text = await first.innerText();
    expect(text).toContain('NDC-SEG-003');
    expect(text).toContain('National Online Meeting Platform');
    expect(text).toMatch(/How to fix: \S/);
    expect(text).toMatch(/Where: environments\/shared\/national\.ts:\d+/);
    // It is above the inventory and every diagram on the page.
    const failuresTop = (await page.locator('#failures').boundingBox())!.y;
    expect(failuresTop).toBeLessThan((await page.locator('#inventory').boundingBox())!.y);
    expect(failuresTop).toBeLessThan((await page.locator('svg.diagram').first().boundingBox())!.y);
  });

  maybe('draws every diagram: boxes with labels, laid out without overlapping, inside their svg', async () => {
    const diagrams = await page.locator('svg.diagram').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const frame = svg.getBoundingClientRect();
        const boxes = [...svg.querySelectorAll('g.node > rect')].map((r) => r.getBoundingClientRect());
        const labels = [...svg.querySelectorAll('g.node > text')].map((t) => ({ text: t.textContent ?? '', width: t.getBoundingClientRect().width }));
        let overlaps = 0;
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps++;
        }
        const outside = boxes.filter((b) => b.left < frame.left - 0.5 || b.right > frame.right + 0.5 || b.top < frame.top - 0.5 || b.bottom > frame.bottom + 0.5).length;
        return { id: svg.id, width: frame.width, height: frame.height, nodes: boxes.length, emptyBoxes: boxes.filter((b) => b.width < 10 || b.height < 10).length, labels, edges: svg.querySelectorAll('g.edge path').length, overlaps, outside };
      }),
    );
    expect(diagrams.map((d) => d.id)).toEqual(['diagram-national', 'diagram-cluster-north', 'diagram-cluster-central', 'diagram-cluster-south', ...report.systems.map((s) => `diagram-system-${s.id}`)]);
    for (const d of diagrams) {
      expect({ id: d.id, overlaps: d.overlaps, outside: d.outside, emptyBoxes: d.emptyBoxes }).toEqual({ id: d.id, overlaps: 0, outside: 0, emptyBoxes: 0 });
      expect(d.nodes).toBeGreaterThan(2);
      expect(d.edges).toBeGreaterThan(0);
      expect(d.width).toBeGreaterThan(200);
      expect(d.labels.every((l) => l.text === '' || l.width > 0)).toBe(true);
    }
    const national = diagrams[0].labels.map((l) => l.text);
    expect(national).toEqual(expect.arrayContaining(['internet', 'government network', ...report.systems.map((s) => s.id)]));
    // The failing system is drawn in red.
    expect(await page.locator('#diagram-national g.node-failed[data-node="sys:online-meeting@south"]').count()).toBe(1);
  });

  maybe('collapses passed rows and prints one system per page', async () => {
    const section = page.locator('#system-online-meeting');
    expect(await section.locator('tr.failed').first().isVisible()).toBe(true);
    expect(await section.locator('details.passed-rows tr').first().isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print' });
    const breaks = await page.locator('section.system').evaluateAll((sections) => sections.map((s) => (globalThis as unknown as { getComputedStyle(e: unknown): { breakBefore: string } }).getComputedStyle(s).breakBefore));
    expect(breaks).toEqual(Array(report.systems.length + 1).fill('page'));
    expect(await page.locator('nav.toc').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages.length).toBeGreaterThan(report.systems.length + 1);
    await page.emulateMedia({ media: 'screen' });
  });
});
