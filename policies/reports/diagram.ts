import { Graph, layout } from '@dagrejs/dagre';
import { escapeXml as x } from './escape';

/**
 * Network diagrams for the HTML report: a graph of boxes (zones, systems, external networks) inside
 * groups (clusters, dedicated networks) with labelled arrows (flows), laid out by dagre and written as
 * inline SVG. Layout runs in process with no browser; the same graph gives the same bytes.
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
const GROUP_LABEL = 14;

const round = (n: number) => Math.round(n * 10) / 10;
const num = (n: number) => String(round(n));

function nodeSize(node: DiagramNode): { width: number; height: number } {
  // The first line is bold (wider glyphs), the others smaller.
  const widest = Math.max(...node.lines.map((l, i) => l.length * (i === 0 ? CHAR + 1 : CHAR - 0.5)));
  return { width: Math.max(90, Math.ceil(widest) + 2 * PAD), height: node.lines.length * LINE + 2 * PAD };
}

/** Lays the diagram out and renders it as an `<svg>` element (no XML declaration, no external reference). */
/** Bump when renderDiagram's output for the same diagram changes (cached SVGs are keyed by it). */
export const DIAGRAM_FORMAT = 1;

export function renderDiagram(diagram: Diagram, id: string): string {
  const g = new Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 34, ranksep: 60, edgesep: 12, marginx: 12, marginy: 30 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const group of diagram.groups) g.setNode(`g:${group.id}`, { label: group.label });
  for (const group of diagram.groups) if (group.parent) g.setParent(`g:${group.id}`, `g:${group.parent}`);
  for (const node of diagram.nodes) {
    g.setNode(`n:${node.id}`, { ...nodeSize(node) });
    if (node.group) g.setParent(`n:${node.id}`, `g:${node.group}`);
  }
  diagram.edges.forEach((edge, i) => {
    g.setEdge(`n:${edge.from}`, `n:${edge.to}`, { label: edge.label, width: edge.label.length * (CHAR - 1), height: LINE, labelpos: 'c', minlen: 1 }, `e${i}`);
  });
  layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  const width = Math.ceil(graph.width ?? 0);
  const height = Math.ceil(graph.height ?? 0) + 22;
  const out: string[] = [];
  out.push(
    `<svg class="diagram" id="${x(id)}" role="img" aria-labelledby="${x(id)}-title" width="${width}" height="${height}" viewBox="0 ${-22} ${width} ${height}" font-family="system-ui,sans-serif" font-size="${FONT}">`,
    `<title id="${x(id)}-title">${x(diagram.title)}</title>`,
    `<defs><marker id="${x(id)}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#57606a"/></marker></defs>`,
    `<text class="diagram-title" x="6" y="-6" font-weight="600">${x(diagram.title)}</text>`,
  );
  // Outer groups first so inner ones paint over them.
  const nestedLevels = (group: DiagramGroup): number => Math.max(0, ...diagram.groups.filter((c) => c.parent === group.id).map((c) => 1 + nestedLevels(c)));
  const depth = (group: DiagramGroup): number => (group.parent ? 1 + depth(diagram.groups.find((p) => p.id === group.parent)!) : 0);
  for (const group of [...diagram.groups].sort((a, b) => depth(a) - depth(b))) {
    const n = g.node(`g:${group.id}`) as { x: number; y: number; width: number; height: number };
    const left = n.x - n.width / 2;
    // The label gets its own strip above the members (dagre leaves nodesep between a group's border and
    // them); a group holding groups grows by one strip more per level, so its label clears theirs.
    const strip = GROUP_LABEL * (1 + nestedLevels(group));
    const top = n.y - n.height / 2 - strip;
    const height = n.height + strip;
    out.push(
      `<g class="group" data-group="${x(group.id)}"><rect x="${num(left)}" y="${num(top)}" width="${num(n.width)}" height="${num(height)}" rx="8" fill="${depth(group) === 0 ? '#f6f8fa' : '#eef4ff'}" stroke="#8c959f" stroke-dasharray="${depth(group) === 0 ? '0' : '4 3'}"/><text x="${num(left + 8)}" y="${num(top + 17)}" font-weight="600" fill="#24292f">${x(group.label)}</text></g>`,
    );
  }
  diagram.edges.forEach((edge, i) => {
    const e = g.edge({ v: `n:${edge.from}`, w: `n:${edge.to}`, name: `e${i}` }) as { points: { x: number; y: number }[]; x?: number; y?: number };
    const d = e.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${num(p.x)},${num(p.y)}`).join('');
    const stroke = edge.kind === 'replication' ? ' stroke-dasharray="6 4"' : '';
    out.push(`<g class="edge" data-from="${x(edge.from)}" data-to="${x(edge.to)}"><path d="${d}" fill="none" stroke="#57606a" stroke-width="1.3"${stroke} marker-end="url(#${x(id)}-arrow)"/>`);
    if (edge.label && e.x !== undefined && e.y !== undefined) {
      const w = edge.label.length * (CHAR - 1) + 6;
      out.push(`<rect x="${num(e.x - w / 2)}" y="${num(e.y - 8)}" width="${num(w)}" height="16" rx="3" fill="#ffffff" fill-opacity="0.9"/><text x="${num(e.x)}" y="${num(e.y + 4)}" text-anchor="middle" font-size="11" fill="#24292f">${x(edge.label)}</text>`);
    }
    out.push('</g>');
  });
  for (const node of diagram.nodes) {
    const n = g.node(`n:${node.id}`) as { x: number; y: number; width: number; height: number };
    const left = n.x - n.width / 2;
    const top = n.y - n.height / 2;
    const fill = node.failed ? '#ffebe9' : node.kind === 'external' ? '#fff8c5' : node.kind === 'system' ? '#ddf4ff' : '#ffffff';
    const stroke = node.failed ? '#cf222e' : '#57606a';
    out.push(`<g class="node node-${node.kind}${node.failed ? ' node-failed' : ''}" data-node="${x(node.id)}"><rect x="${num(left)}" y="${num(top)}" width="${num(n.width)}" height="${num(n.height)}" rx="${node.kind === 'external' ? 16 : 4}" fill="${fill}" stroke="${stroke}" stroke-width="${node.failed ? 2 : 1}"/>`);
    node.lines.forEach((line, j) => {
      out.push(`<text x="${num(n.x)}" y="${num(top + PAD + LINE * j + 12)}" text-anchor="middle"${j === 0 ? ' font-weight="600"' : ' font-size="11" fill="#57606a"'}>${x(line)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
