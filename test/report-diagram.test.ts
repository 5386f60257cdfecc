import { buildCloud } from '../constructs';
import { validateEnvironment } from '../environments/validate';
import { ZONES } from '../environments/vocabulary';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagramCache, layDiagramsAhead } from '../cli/commands/report-inputs';
import { diagramKey, diagramsOf } from '../policies/reports/html';
import { cloudPicture, DIAGRAM_LIMITS, type CloudPicture } from '../policies/reports/topology';
import { environmentInput } from './helpers';
import { renderDiagram, type Diagram } from '../policies/reports/diagram';
import { generateEnvironment } from '../scripts/generate-cloud';

/** Diagram layout: boxes inside their groups, labels escaped, the same bytes for the same graph, large clouds folded. */

const boxes = (svg: string, cls: string) =>
  [...svg.matchAll(new RegExp(`<g class="${cls}[^"]*" data-[a-z]+="([^"]+)"><rect x="([-\\d.]+)" y="([-\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`, 'g'))].map((m) => ({ id: m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5] }));

describe('renderDiagram', () => {
  const diagram: Diagram = {
    title: 'Cluster <north> & "friends"',
    groups: [{ id: 'north', label: 'North' }, { id: 'north/db', label: 'population-db', parent: 'north' }],
    nodes: [
      { id: 'internet', lines: ['internet'], kind: 'external' },
      { id: 'dmz', lines: ['dmz', '10.10.4.0/22'], kind: 'zone', group: 'north' },
      { id: 'db', lines: ['database', '10.10.139.0/24', 'db x5'], kind: 'zone', group: 'north/db', failed: true },
    ],
    edges: [
      { from: 'internet', to: 'dmz', label: 'tcp/443', kind: 'flow' },
      { from: 'dmz', to: 'db', label: 'tcp/5432', kind: 'flow' },
    ],
  };

  it('places every box inside its group and each group inside its parent', () => {
    const svg = renderDiagram(diagram, 'd');
    const nodes = boxes(svg, 'node');
    const groups = boxes(svg, 'group');
    expect(nodes.map((n) => n.id)).toEqual(['internet', 'dmz', 'db']);
    expect(groups.map((g) => g.id)).toEqual(['north', 'north/db']);
    const inside = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
    expect(inside(nodes[1], groups[0])).toBe(true);
    expect(inside(nodes[2], groups[1])).toBe(true);
    expect(inside(groups[1], groups[0])).toBe(true);
    expect(inside(nodes[0], groups[0])).toBe(false);
    expect(svg).toContain('<g class="node node-zone node-failed" data-node="db">');
    expect(svg).toContain('<title id="d-title">Cluster &lt;north&gt; &amp; &quot;friends&quot;</title>');
    expect(svg.match(/<g class="edge"/g)).toHaveLength(2);
  });

  it('draws a flow from a box to itself as a loop on the box, its label above it, and other arrows end on the box as drawn', () => {
    // Flows between hosts of one zone (replication inside the database zone, the jump hosts' own port).
    const looped: Diagram = { ...diagram, edges: [...diagram.edges, { from: 'db', to: 'db', label: 'tcp/5432', kind: 'replication' }, { from: 'dmz', to: 'dmz', label: 'tcp/3080', kind: 'flow' }, { from: 'dmz', to: 'dmz', label: 'tcp/9000', kind: 'flow' }] };
    const svg = renderDiagram(looped, 'd');
    const nodes = new Map(boxes(svg, 'node').map((b) => [b.id, b]));
    const edges = [...svg.matchAll(/<g class="edge" data-from="([^"]+)" data-to="([^"]+)"><path d="([^"]+)"[^>]*\/>\n?(?:<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="16"[^>]*\/><text[^>]*>([^<]*)<\/text>)?/g)].map((m) => ({ from: m[1], to: m[2], d: m[3], plate: m[4] === undefined ? undefined : { x: +m[4], y: +m[5], w: +m[6] }, label: m[7] }));
    expect(edges).toHaveLength(5);
    const numbers = (d: string) => [...d.matchAll(/-?[\d.]+/g)].map((m) => +m[0]);
    for (const loop of edges.filter((e) => e.from === e.to)) {
      const b = nodes.get(loop.from)!;
      const [x0, y0, , , , , x1, y1] = numbers(loop.d);
      // Out of the box's top edge and back into it, within the box's width.
      expect(loop.d).toMatch(/^M[-\d.]+,[-\d.]+C/);
      expect([y0, y1]).toEqual([b.y, b.y]);
      for (const x of [x0, x1]) expect(x > b.x && x < b.x + b.w).toBe(true);
      // Its label above the box, clear of it, and clear of every other box.
      expect(loop.plate!.y + 16).toBeLessThan(b.y);
      for (const other of nodes.values()) {
        const p = loop.plate!;
        const apart = p.x + p.w <= other.x || other.x + other.w <= p.x || p.y + 16 <= other.y || other.y + other.h <= p.y;
        expect({ label: loop.label, other: other.id, apart }).toEqual({ label: loop.label, other: other.id, apart: true });
      }
    }
    // The two loops of dmz are nested, their labels one above the other.
    const [first, second] = edges.filter((e) => e.from === 'dmz' && e.to === 'dmz');
    expect(second.plate!.y).toBeLessThanOrEqual(first.plate!.y - 16);
    // The arrow into dmz (which has loops, so more room above it) ends on dmz's border as drawn.
    const into = edges.find((e) => e.from === 'internet' && e.to === 'dmz')!;
    const end = numbers(into.d).slice(-2);
    const dmz = nodes.get('dmz')!;
    const onBorder = (Math.abs(end[0] - dmz.x) < 0.2 || Math.abs(end[0] - (dmz.x + dmz.w)) < 0.2 || Math.abs(end[1] - dmz.y) < 0.2 || Math.abs(end[1] - (dmz.y + dmz.h)) < 0.2) && end[1] >= dmz.y - 0.2 && end[1] <= dmz.y + dmz.h + 0.2;
    expect({ end, dmz, onBorder }).toEqual({ end, dmz, onBorder: true });
  });

  it('gives the same bytes for the same graph', () => {
    expect(renderDiagram(diagram, 'd')).toBe(renderDiagram(structuredClone(diagram), 'd'));
  });

  it('folds a large cloud: counts per cluster and level, no per-system diagrams', () => {
    const env = validateEnvironment(generateEnvironment(25), 'generated.ts');
    const cloud = buildCloud(env);
    expect(cloud.systems.length).toBeGreaterThan(DIAGRAM_LIMITS.systemDiagrams);
    const picture = cloudPicture(cloud, '2026-11-27');
    expect(picture.systems.size).toBe(0);
    expect(picture.national.nodes.some((n) => n.id.startsWith('sys:'))).toBe(false);
    const levels = picture.national.nodes.filter((n) => n.id.startsWith('level:'));
    expect(levels.length).toBeGreaterThan(0);
    const counted = levels.reduce((n, node) => n + Number(/(\d+) primary/.exec(node.lines[1])![1]), 0);
    expect(counted).toBe(cloud.systems.length);
    // At most: the external networks, the shared zones, and the limit's dedicated networks of six zones each.
    for (const c of picture.clusters) expect(c.diagram.nodes.length).toBeLessThanOrEqual(2 + ZONES.length + DIAGRAM_LIMITS.dedicatedNetworksPerCluster * 6);
    expect(picture.clusters.some((c) => c.diagram.nodes.some((n) => n.id.startsWith('dedicated:')))).toBe(true);
    expect(renderDiagram(picture.national, 'n')).toContain('data-node="level:');
  });
});

describe("every diagram's arrows", () => {
  it.each(['dev', 'staging', 'prod'] as const)('%s: start and end at boxes of the diagram (a system diagram shows the cluster zones its flows reach)', (name) => {
    const cloud = buildCloud(validateEnvironment(environmentInput(name), `environments/${name}.ts`, name));
    const drawn = diagramsOf(cloudPicture(cloud, '2026-12-01'));
    expect(drawn.length).toBeGreaterThan(3);
    for (const { diagram, id } of drawn) {
      const boxes = new Set(diagram.nodes.map((n) => n.id));
      const loose = diagram.edges.filter((e) => !boxes.has(e.from) || !boxes.has(e.to)).map((e) => `${e.from} -> ${e.to}`);
      expect({ id, loose }).toEqual({ id, loose: [] });
    }
    // A system with its own network sends its logs and takes its updates across, to its cluster's
    // management zone: drawn with those services, the arrows ending there.
    const services = drawn
      .filter(({ id }) => id.startsWith('diagram-system-'))
      .flatMap(({ diagram }) => diagram.nodes.filter((n) => n.lines.some((l) => /log-collector/.test(l))).map((node) => ({ diagram, node })));
    if (name === 'prod') expect(services.length).toBeGreaterThan(0);
    for (const { diagram, node } of services) expect(diagram.edges.filter((e) => e.to === node.id).length).toBeGreaterThan(0);
  });

  it('refuse to be laid out when one names a box the diagram lacks', () => {
    const loose: Diagram = { title: 't', groups: [], nodes: [{ id: 'a', lines: ['a'], kind: 'zone' }], edges: [{ from: 'a', to: 'nowhere', label: 'tcp/1', kind: 'flow' }] };
    expect(() => renderDiagram(loose, 'd')).toThrow(/diagram d draws an arrow \(tcp\/1\) to or from nowhere/);
  });
});

describe('laying diagrams out ahead, on a worker thread (ndc start)', () => {
  const picture = (failing: string[] = []) => cloudPicture(buildCloud(validateEnvironment(environmentInput('dev'), 'environments/dev.ts', 'dev')), '2026-12-01', new Set(failing));

  it('puts into the diagram cache exactly the SVG the report lays out itself, and only what it lacks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-diagrams-'));
    const drawn = diagramsOf(picture());
    const cache = diagramCache(root);
    // One diagram is cached already (a bogus SVG stands for it): the worker leaves it alone.
    cache.set(diagramKey(drawn[0].diagram, drawn[0].id), '<svg>kept</svg>');
    await layDiagramsAhead(root, picture(), true)();
    expect(cache.get(diagramKey(drawn[0].diagram, drawn[0].id))).toBe('<svg>kept</svg>');
    for (const { diagram, id } of drawn.slice(1)) expect(cache.get(diagramKey(diagram, id))).toBe(renderDiagram(diagram, id));
    expect(drawn.length).toBeGreaterThan(3);
  });

  it('caches nothing for a diagram whose layout fails (the report lays it out itself), and the others as usual', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-diagrams-'));
    const broken = { ...picture(), national: { title: 'x', groups: [], nodes: [], edges: null } } as unknown as CloudPicture;
    await layDiagramsAhead(root, broken, true)();
    const cache = diagramCache(root);
    const [national, ...others] = diagramsOf(broken);
    expect(national.id).toBe('diagram-national');
    expect(cache.get(diagramKey(national.diagram, national.id))).toBeUndefined();
    for (const { diagram, id } of others) expect(cache.get(diagramKey(diagram, id))).toBe(renderDiagram(diagram, id));
  });

  it('draws a failing system differently, under another key', () => {
    const [system] = [...picture().systems.keys()];
    const id = `diagram-system-${system}`;
    expect(diagramKey(picture().systems.get(system)!, id)).not.toBe(diagramKey(picture([system]).systems.get(system)!, id));
  });
});
