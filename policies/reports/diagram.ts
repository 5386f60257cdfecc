import { layeredLayout } from './layout';
import { escapeXml as x } from './escape';

/**
 * Network diagrams for the HTML report: a graph of boxes (zones, systems, external networks) inside
 * groups (clusters, dedicated networks) with labelled arrows (flows), laid out by ./layout.ts and written
 * as inline SVG. Layout runs in process with no browser; the same graph gives the same bytes.
 */

export type DiagramNodeKind = 'external' | 'zone' | 'system' | 'cluster';

export interface DiagramNode {
  readonly id: string;
  /** First line bold, the rest small. */
  readonly lines: readonly string[];
  readonly kind: DiagramNodeKind;
  /** Highlights a node that has a failed finding. */
  readonly failed?: boolean;
  readonly group?: string;
}

export interface DiagramGroup {
  readonly id: string;
  readonly label: string;
  readonly parent?: string;
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** `replication`: dashed (backup copies, recovery); `flow`: allowed traffic. */
  readonly kind: 'flow' | 'replication';
}

export interface Diagram {
  readonly title: string;
  readonly groups: readonly DiagramGroup[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

const FONT = 12;
/** Average advance of a 12px sans-serif glyph; labels are sized from it since no font is measured here. */
const CHAR = 7;
const LINE = 16;
const PAD = 8;

const round = (n: number) => Math.round(n * 10) / 10;
const num = (n: number) => String(round(n));

/** Width of an arrow's label plate. */
const labelWidth = (label: string) => label.length * (CHAR - 1) + 6;

function nodeSize(node: DiagramNode): { width: number; height: number } {
  // The first line is bold (wider glyphs), the others smaller.
  const widest = Math.max(...node.lines.map((l, i) => l.length * (i === 0 ? CHAR + 1 : CHAR - 0.5)));
  return { width: Math.max(90, Math.ceil(widest) + 2 * PAD), height: node.lines.length * LINE + 2 * PAD };
}

/** Height a flow from a box to itself takes above the box: its loop and, above it, its label. */
const LOOP = 30;

/** Lays the diagram out and renders it as an `<svg>` element (no XML declaration, no external reference). */
export function renderDiagram(diagram: Diagram, id: string): string {
  // An arrow to a box the diagram lacks would be drawn to nowhere.
  const boxes = new Set(diagram.nodes.map((n) => n.id));
  for (const edge of diagram.edges) {
    const missing = [edge.from, edge.to].find((end) => !boxes.has(end));
    if (missing !== undefined) throw new Error(`internal: diagram ${id} draws an arrow (${edge.label}) to or from ${missing}, which is not one of its boxes`);
  }
  // A flow from a box to itself (between hosts of one zone) is drawn as a loop on the box's top: the box
  // is laid out taller (and wide enough for the labels) by the room its loops take above it.
  const loops = new Map<string, { edge: DiagramEdge; index: number }[]>();
  diagram.edges.forEach((edge, index) => {
    if (edge.from === edge.to) loops.set(edge.from, [...(loops.get(edge.from) ?? []), { edge, index }]);
  });
  const above = (nodeId: string) => (loops.get(nodeId)?.length ?? 0) * LOOP;
  const arrows = diagram.edges.map((edge, index) => ({ edge, index })).filter(({ edge }) => edge.from !== edge.to);
  const laid = layeredLayout(
    diagram.nodes.map((node) => {
      const size = nodeSize(node);
      const labels = (loops.get(node.id) ?? []).map(({ edge }) => labelWidth(edge.label) + 2 * PAD);
      return { id: node.id, width: Math.max(size.width, ...labels), height: size.height + above(node.id), group: node.group, inset: above(node.id) };
    }),
    diagram.groups.map((group) => ({ id: group.id, parent: group.parent, labelWidth: Math.ceil(group.label.length * (CHAR + 0.5)) })),
    arrows.map(({ edge }) => ({ from: edge.from, to: edge.to, labelWidth: labelWidth(edge.label) + 8, labelHeight: LINE })),
  );
  const arrowAt = new Map(arrows.map(({ index }, k) => [index, laid.arrows[k]]));
  /** The box as drawn: the laid-out box less the room its loops take above it. */
  const box = (nodeId: string) => {
    const n = laid.boxes.get(nodeId)!;
    const top = n.y - n.height / 2 + above(nodeId);
    return { x: n.x, left: n.x - n.width / 2, top, width: n.width, height: n.height - above(nodeId), cy: top + (n.height - above(nodeId)) / 2 };
  };
  const width = laid.width;
  const height = laid.height + 22;
  const out: string[] = [];
  out.push(
    `<svg class="diagram" id="${x(id)}" role="img" aria-labelledby="${x(id)}-title" width="${width}" height="${height}" viewBox="0 ${-22} ${width} ${height}" font-family="system-ui,sans-serif" font-size="${FONT}">`,
    `<title id="${x(id)}-title">${x(diagram.title)}</title>`,
    `<defs><marker id="${x(id)}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#57606a"/></marker></defs>`,
    `<text class="diagram-title" x="6" y="-6" font-weight="600">${x(diagram.title)}</text>`,
  );
  // Outer groups first so inner ones paint over them.
  const depth = (group: DiagramGroup): number => (group.parent ? 1 + depth(diagram.groups.find((p) => p.id === group.parent)!) : 0);
  for (const group of [...diagram.groups].sort((a, b) => depth(a) - depth(b))) {
    const r = laid.groups.get(group.id)!;
    out.push(
      `<g class="group" data-group="${x(group.id)}"><rect x="${num(r.left)}" y="${num(r.top)}" width="${num(r.width)}" height="${num(r.height)}" rx="8" fill="${depth(group) === 0 ? '#f6f8fa' : '#eef4ff'}" stroke="#8c959f" stroke-dasharray="${depth(group) === 0 ? '0' : '4 3'}"/><text x="${num(r.left + 8)}" y="${num(r.top + 17)}" font-weight="600" fill="#24292f">${x(group.label)}</text></g>`,
    );
  }
  diagram.edges.forEach((edge, i) => {
    const stroke = edge.kind === 'replication' ? ' stroke-dasharray="6 4"' : '';
    let d: string;
    let at: { x: number; y: number } | undefined;
    if (edge.from === edge.to) {
      // The k-th loop of a box: out of its top and back, its label above the loop.
      const b = box(edge.from);
      const k = loops.get(edge.from)!.findIndex((loop) => loop.index === i);
      const half = 14 + 8 * k;
      // The curve rises 12 px (three quarters of its control points' 16); the label plate (16 px) above it.
      const base = b.top - LOOP * k;
      d = `M${num(b.x - half)},${num(b.top)}C${num(b.x - half)},${num(base - 16)} ${num(b.x + half)},${num(base - 16)} ${num(b.x + half)},${num(b.top)}`;
      at = { x: b.x, y: base - 21 };
    } else {
      const { points, label } = arrowAt.get(i)!;
      d = points.map((p, j) => `${j === 0 ? 'M' : 'L'}${num(p.x)},${num(p.y)}`).join('');
      at = label;
    }
    out.push(`<g class="edge" data-from="${x(edge.from)}" data-to="${x(edge.to)}"><path d="${d}" fill="none" stroke="#57606a" stroke-width="1.3"${stroke} marker-end="url(#${x(id)}-arrow)"/>`);
    if (edge.label && at !== undefined) {
      const w = labelWidth(edge.label);
      out.push(`<rect x="${num(at.x - w / 2)}" y="${num(at.y - 8)}" width="${num(w)}" height="16" rx="3" fill="#ffffff" fill-opacity="0.9"/><text x="${num(at.x)}" y="${num(at.y + 4)}" text-anchor="middle" font-size="11" fill="#24292f">${x(edge.label)}</text>`);
    }
    out.push('</g>');
  });
  for (const node of diagram.nodes) {
    const b = box(node.id);
    const fill = node.failed ? '#ffebe9' : node.kind === 'external' ? '#fff8c5' : node.kind === 'system' ? '#ddf4ff' : '#ffffff';
    const stroke = node.failed ? '#cf222e' : '#57606a';
    out.push(`<g class="node node-${node.kind}${node.failed ? ' node-failed' : ''}" data-node="${x(node.id)}"><rect x="${num(b.left)}" y="${num(b.top)}" width="${num(b.width)}" height="${num(b.height)}" rx="${node.kind === 'external' ? 16 : 4}" fill="${fill}" stroke="${stroke}" stroke-width="${node.failed ? 2 : 1}"/>`);
    node.lines.forEach((line, j) => {
      out.push(`<text x="${num(b.x)}" y="${num(b.top + PAD + LINE * j + 12)}" text-anchor="middle"${j === 0 ? ' font-weight="600"' : ' font-size="11" fill="#57606a"'}>${x(line)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
