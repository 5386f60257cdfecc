import { buildCloud } from '../constructs';
import { validateEnvironment } from '../environments/validate';
import { diagramsOf } from '../policies/reports/html';
import { cloudPicture } from '../policies/reports/topology';
import { renderDiagram, type Diagram } from '../policies/reports/diagram';
import { layeredLayout } from '../policies/reports/layout';
import { generateEnvironment } from '../scripts/generate-cloud';
import { environmentInput } from './helpers';

/**
 * The diagrams' layout (policies/reports/layout.ts), read back from the SVG the report embeds: for every
 * diagram of the shipped environments and of generated clouds, no box overlaps another or a group it is
 * not in, no arrow runs through a box, every arrow starts and ends on its boxes' borders, no label hides a
 * box or another label, and everything is inside the picture.
 */

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const rects = (svg: string, cls: string) =>
  new Map([...svg.matchAll(new RegExp(`<g class="${cls}[^"]*" data-[a-z]+="([^"]+)"><rect x="([-\\d.]+)" y="([-\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`, 'g'))].map((m) => [m[1], { x: +m[2], y: +m[3], w: +m[4], h: +m[5] }]));

function arrowsOf(svg: string) {
  return [...svg.matchAll(/<g class="edge" data-from="([^"]+)" data-to="([^"]+)"><path d="([^"]+)"[^>]*\/>\n?(?:<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="(16)")?/g)].map((m) => ({
    from: m[1],
    to: m[2],
    d: m[3],
    plate: m[4] === undefined ? undefined : { x: +m[4], y: +m[5], w: +m[6], h: +m[7] },
  }));
}

const points = (d: string) => [...d.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => ({ x: +m[1], y: +m[2] }));

/** Whether two rectangles share more than a border (by more than `slack` pixels). */
const overlap = (a: Box, b: Box, slack = 0.5) => a.x + a.w > b.x + slack && b.x + b.w > a.x + slack && a.y + a.h > b.y + slack && b.y + b.h > a.y + slack;
const inside = (a: Box, b: Box) => a.x >= b.x - 0.1 && a.y >= b.y - 0.1 && a.x + a.w <= b.x + b.w + 0.1 && a.y + a.h <= b.y + b.h + 0.1;

/** Whether the segment p-q runs through the inside of `b` (shrunk by a pixel): Liang-Barsky clipping. */
function crosses(p: { x: number; y: number }, q: { x: number; y: number }, b: Box): boolean {
  const [left, right, top, bottom] = [b.x + 1, b.x + b.w - 1, b.y + 1, b.y + b.h - 1];
  let [t0, t1] = [0, 1];
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  for (const [pk, qk] of [
    [-dx, p.x - left],
    [dx, right - p.x],
    [-dy, p.y - top],
    [dy, bottom - p.y],
  ]) {
    if (pk === 0) {
      if (qk < 0) return false;
    } else {
      const t = qk / pk;
      if (pk < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  return t0 < t1;
}

const onBorder = (p: { x: number; y: number }, b: Box) =>
  (Math.abs(p.x - b.x) < 0.2 || Math.abs(p.x - (b.x + b.w)) < 0.2) && p.y >= b.y - 0.2 && p.y <= b.y + b.h + 0.2;

function problems(diagram: Diagram, id: string): string[] {
  const svg = renderDiagram(diagram, id);
  const found: string[] = [];
  const [, width, height] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
  const boxes = rects(svg, 'node');
  const groups = rects(svg, 'group');
  const picture = { x: 0, y: 0, w: width, h: height - 22 };
  const ancestors = (group: string | undefined): string[] => {
    const g = diagram.groups.find((candidate) => candidate.id === group);
    return g === undefined ? [] : [g.id, ...ancestors(g.parent)];
  };
  for (const node of diagram.nodes) {
    const b = boxes.get(node.id)!;
    if (!inside(b, picture)) found.push(`box ${node.id} outside the picture`);
    const mine = ancestors(node.group);
    for (const [group, r] of groups) {
      if (mine.includes(group) && !inside(b, r)) found.push(`box ${node.id} outside its group ${group}`);
      if (!mine.includes(group) && overlap(b, r)) found.push(`box ${node.id} inside group ${group}, not its own`);
    }
    for (const other of diagram.nodes) if (other.id < node.id && overlap(b, boxes.get(other.id)!)) found.push(`boxes ${node.id} and ${other.id} overlap`);
  }
  for (const group of diagram.groups) {
    const r = groups.get(group.id)!;
    if (!inside(r, picture)) found.push(`group ${group.id} outside the picture`);
    const mine = ancestors(group.id);
    for (const other of diagram.groups) {
      if (other.id === group.id) continue;
      const theirs = ancestors(other.id);
      if (group.parent !== undefined && other.id === group.parent && !inside(r, groups.get(other.id)!)) found.push(`group ${group.id} outside its parent`);
      if (!mine.includes(other.id) && !theirs.includes(group.id) && overlap(r, groups.get(other.id)!)) found.push(`groups ${group.id} and ${other.id} overlap`);
    }
  }
  // Everything drawn was read back.
  if (boxes.size !== diagram.nodes.length || groups.size !== diagram.groups.length) found.push(`read ${boxes.size} boxes and ${groups.size} groups`);
  const arrows = arrowsOf(svg);
  if (arrows.length !== diagram.edges.length || arrows.filter((a) => a.plate).length !== diagram.edges.filter((e) => e.label).length) found.push(`read ${arrows.length} arrows`);
  const plates: Box[] = [];
  for (const arrow of arrows) {
    if (arrow.from === arrow.to) continue;
    const name = `${arrow.from} -> ${arrow.to}`;
    const line = points(arrow.d);
    if (!onBorder(line[0], boxes.get(arrow.from)!)) found.push(`${name} does not start on its box`);
    if (!onBorder(line[line.length - 1], boxes.get(arrow.to)!)) found.push(`${name} does not end on its box`);
    for (const p of line) if (!inside({ x: p.x, y: p.y, w: 0, h: 0 }, picture)) found.push(`${name} leaves the picture`);
    for (let k = 1; k < line.length; k++) {
      for (const [node, b] of boxes) if (crosses(line[k - 1], line[k], b)) found.push(`${name} runs through ${node}`);
    }
    if (arrow.plate) {
      for (const [node, b] of boxes) if (overlap(arrow.plate, b)) found.push(`the label of ${name} covers ${node}`);
      for (const other of plates) if (overlap(arrow.plate, other)) found.push(`the label of ${name} covers another label`);
      plates.push(arrow.plate);
    }
  }
  return found;
}

const pictures = {
  dev: () => cloudPicture(buildCloud(validateEnvironment(environmentInput('dev'), 'environments/dev.ts', 'dev')), '2026-12-01'),
  staging: () => cloudPicture(buildCloud(validateEnvironment(environmentInput('staging'), 'environments/staging.ts', 'staging')), '2026-12-01'),
  prod: () => cloudPicture(buildCloud(validateEnvironment(environmentInput('prod'), 'environments/prod.ts', 'prod')), '2026-12-01'),
  // Unfolded, with more systems per cluster than prod; and folded (counts per cluster and level).
  'generated, 2 systems per region': () => cloudPicture(buildCloud(validateEnvironment(generateEnvironment(2), 'generated.ts')), '2026-12-01'),
  'generated, 25 systems per region': () => cloudPicture(buildCloud(validateEnvironment(generateEnvironment(25), 'generated.ts')), '2026-12-01'),
};

describe('the diagrams as laid out', () => {
  it.each(Object.keys(pictures) as (keyof typeof pictures)[])('%s: boxes apart and in their groups only, arrows on their boxes and through none, labels clear', (name) => {
    const drawn = diagramsOf(pictures[name]());
    expect(drawn.length).toBeGreaterThan(3);
    for (const { diagram, id } of drawn) expect({ id, problems: problems(diagram, id) }).toEqual({ id, problems: [] });
  });

  it('lays out arrows that close a cycle, drawn the right way round, and boxes of no arrow', () => {
    const diagram: Diagram = {
      title: 'cycle',
      groups: [{ id: 'g', label: 'a group' }, { id: 'h', label: 'a group inside', parent: 'g' }],
      nodes: [
        { id: 'a', lines: ['a'], kind: 'zone', group: 'g' },
        { id: 'b', lines: ['b'], kind: 'zone', group: 'h' },
        { id: 'c', lines: ['c'], kind: 'zone' },
        { id: 'lonely', lines: ['lonely'], kind: 'zone', group: 'h' },
      ],
      edges: [
        { from: 'a', to: 'b', label: 'tcp/1', kind: 'flow' },
        { from: 'b', to: 'c', label: 'tcp/2', kind: 'flow' },
        { from: 'c', to: 'a', label: 'tcp/3', kind: 'flow' },
        { from: 'b', to: 'a', label: 'tcp/4', kind: 'replication' },
      ],
    };
    expect(problems(diagram, 'd')).toEqual([]);
    const svg = renderDiagram(diagram, 'd');
    const boxes = rects(svg, 'node');
    // Each arrow's last point (where its head is drawn) is on the box it goes to.
    for (const arrow of arrowsOf(svg)) {
      const line = points(arrow.d);
      expect({ arrow: `${arrow.from} -> ${arrow.to}`, ends: onBorder(line[line.length - 1], boxes.get(arrow.to)!) }).toEqual({ arrow: `${arrow.from} -> ${arrow.to}`, ends: true });
    }
  });

  it('refuses a group inside one the diagram lacks, and a box twice', () => {
    expect(() => layeredLayout([{ id: 'a', width: 10, height: 10 }], [{ id: 'g', parent: 'nowhere', labelWidth: 10 }], [])).toThrow(/group g is inside nowhere/);
    expect(() => layeredLayout([{ id: 'a', width: 10, height: 10, group: 'nowhere' }], [], [])).toThrow(/box a is in nowhere/);
    expect(() => layeredLayout([{ id: 'a', width: 10, height: 10 }, { id: 'a', width: 10, height: 10 }], [], [])).toThrow(/box a is given twice/);
  });

  it('keeps boxes that exchange flows close: an arrow crosses few columns', () => {
    // A chain a -> b -> c and a shortcut a -> c: b sits between them, one column of labels apart.
    const laid = layeredLayout(
      ['a', 'b', 'c'].map((id) => ({ id, width: 50, height: 30 })),
      [],
      [
        { from: 'a', to: 'b', labelWidth: 20, labelHeight: 16 },
        { from: 'b', to: 'c', labelWidth: 20, labelHeight: 16 },
        { from: 'a', to: 'c', labelWidth: 20, labelHeight: 16 },
      ],
    );
    const x = (id: string) => laid.boxes.get(id)!.x;
    expect(x('a')).toBeLessThan(x('b'));
    expect(x('b')).toBeLessThan(x('c'));
    // The shortcut bends around b (through the columns between), never through it.
    const shortcut = laid.arrows[2].points;
    const b = laid.boxes.get('b')!;
    for (let k = 1; k < shortcut.length; k++) expect(crosses(shortcut[k - 1], shortcut[k], { x: b.x - b.width / 2, y: b.y - b.height / 2, w: b.width, h: b.height })).toBe(false);
  });
});
