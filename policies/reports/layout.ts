/**
 * A layered left-to-right layout for the report's network diagrams: boxes inside nested groups, arrows
 * between them with a label each. Purpose-built for these pictures (tens of boxes, a few levels of
 * groups) so that laying out prod's ten diagrams takes milliseconds, where a general graph layout library
 * took about half a second of the report.
 *
 * The picture is a grid:
 * - Columns (ranks): an arrow goes from one column to a later one, two columns on at least, its label in
 *   the column between; an arrow spanning more columns bends through a point in each column it crosses
 *   (which keeps room for it, so it never runs through a box). Arrows that would close a cycle are laid
 *   out reversed and drawn the right way round.
 * - Rows (bands): every group owns a horizontal band across the whole picture, its own boxes in a strip at
 *   the top of the band and its child groups' bands below, so a group's rectangle never overlaps another's
 *   and always holds its members and children. Boxes outside any group (the internet, the government
 *   network) sit beside the groups where no group's rectangle spans their column, else in a strip above.
 *   An arrow's bends and label stay in the band of its more deeply nested end (its source's when equal).
 * - Within a column and band, boxes and bends are ordered to cross few arrows (barycentre sweeps, the order
 *   with the fewest crossings kept), then moved toward the mean height of their neighbours (isotonic
 *   regression under the order and spacing), which straightens arrows.
 * Everything is deterministic: the same input gives the same numbers.
 */

export interface LayoutBox {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly group?: string;
  /** Room at the top of the box that is not drawn as the box (its loops): arrows meet the box below it. */
  readonly inset?: number;
}

export interface LayoutGroup {
  readonly id: string;
  readonly parent?: string;
  /** Width of its label, drawn at the rectangle's top left: the rectangle is at least this wide. */
  readonly labelWidth: number;
}

export interface LayoutArrow {
  readonly from: string;
  readonly to: string;
  readonly labelWidth: number;
  readonly labelHeight: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** By box id: centre and size. */
  readonly boxes: ReadonlyMap<string, Point & { readonly width: number; readonly height: number }>;
  /** By group id; the top `GROUP_HEADER` pixels are the label's strip. */
  readonly groups: ReadonlyMap<string, Rect>;
  /**
   * In the order given: the polyline from the source's border to the target's, and the label's centre.
   * An arrow leaves a box on the side facing its target and enters on the side facing its source (the
   * right and left sides, spread along them in the order of the other ends), and crosses every column
   * between them level, in the room kept for it, so only its steps between columns are slanted.
   */
  readonly arrows: readonly { readonly points: readonly Point[]; readonly label: Point }[];
}

export const GROUP_HEADER = 26;
const GROUP_PAD = 14;
const BAND_GAP = 22;
const BOX_GAP = 26;
const BEND_GAP = 8;
const COLUMN_GAP = 40;
const MARGIN = 12;
const SWEEPS = 12;
const STRAIGHTENING_PASSES = 24;

const ROOT = '\u0000root';

interface Item {
  readonly index: number;
  readonly lane: string;
  readonly column: number;
  readonly width: number;
  readonly height: number;
  /** Items in the previous and next column this one is joined to. */
  readonly left: number[];
  readonly right: number[];
  readonly box: boolean;
  /** A bend: its neighbour toward the end whose band holds the arrow's run, which it is levelled with. */
  anchor?: number;
  floating: boolean;
  top: number;
}

/** Lays `boxes`, `groups` and `arrows` out (an arrow from a box to itself is not laid out: give none). */
export function layeredLayout(boxes: readonly LayoutBox[], groups: readonly LayoutGroup[], arrows: readonly LayoutArrow[]): Layout {
  // The group tree, in the order given; ROOT holds the top-level groups and the boxes of no group.
  const children = new Map<string, string[]>([[ROOT, []]]);
  const parentOf = new Map<string, string>();
  const groupById = new Map(groups.map((g) => [g.id, g]));
  for (const g of groups) children.set(g.id, []);
  for (const g of groups) {
    const parent = g.parent ?? ROOT;
    if (!children.has(parent)) throw new Error(`internal: group ${g.id} is inside ${parent}, which is not a group of the diagram`);
    parentOf.set(g.id, parent);
    children.get(parent)!.push(g.id);
  }
  const depth = new Map<string, number>([[ROOT, 0]]);
  const depthOf = (lane: string, seen = new Set<string>()): number => {
    const known = depth.get(lane);
    if (known !== undefined) return known;
    if (seen.has(lane)) throw new Error(`internal: group ${lane} is inside itself`);
    seen.add(lane);
    const d = 1 + depthOf(parentOf.get(lane)!, seen);
    depth.set(lane, d);
    return d;
  };
  for (const g of groups) depthOf(g.id);

  const boxIndex = new Map<string, number>();
  boxes.forEach((b, i) => {
    if (boxIndex.has(b.id)) throw new Error(`internal: box ${b.id} is given twice`);
    if (b.group !== undefined && !groupById.has(b.group)) throw new Error(`internal: box ${b.id} is in ${b.group}, which is not a group of the diagram`);
    boxIndex.set(b.id, i);
  });
  const ends = arrows.map((a) => {
    const from = boxIndex.get(a.from);
    const to = boxIndex.get(a.to);
    if (from === undefined || to === undefined) throw new Error(`internal: an arrow goes from ${a.from} to ${a.to}, not both boxes of the diagram`);
    if (from === to) throw new Error(`internal: an arrow from ${a.from} to itself is drawn as a loop, not laid out`);
    return { from, to };
  });

  const rank = ranks(boxes.length, ends, boxes.map((b) => b.group ?? ROOT));

  // Items: the boxes, then each arrow's bends (one per column it crosses; the label's is wider).
  const items: Item[] = boxes.map((b, i) => ({ index: i, lane: b.group ?? ROOT, column: rank[i], width: b.width, height: b.height, left: [], right: [], box: true, floating: false, top: 0 }));
  const chains = arrows.map((a, i) => {
    const { from, to } = ends[i];
    const [low, high] = rank[from] < rank[to] ? [from, to] : [to, from];
    const laneFrom = items[from].lane;
    const laneTo = items[to].lane;
    const lane = depth.get(laneTo)! > depth.get(laneFrom)! ? laneTo : laneFrom;
    // The label in the crossed column nearest the middle (labels sit in odd columns, between boxes).
    const crossed = (rank[high] - rank[low]) / 2;
    const labelColumn = rank[low] + 1 + 2 * Math.floor((crossed - 1) / 2);
    const chain = [low];
    for (let column = rank[low] + 1; column < rank[high]; column++) {
      const label = column === labelColumn;
      const item: Item = { index: items.length, lane, column, width: label ? a.labelWidth : 0, height: label ? a.labelHeight : 0, left: [], right: [], box: false, floating: false, top: 0 };
      items.push(item);
      chain.push(item.index);
    }
    chain.push(high);
    for (let k = 1; k < chain.length; k++) {
      items[chain[k - 1]].right.push(chain[k]);
      items[chain[k]].left.push(chain[k - 1]);
    }
    // The run is level with the end whose band holds it: it leaves (or reaches) that box straight.
    const towardLow = lane === items[low].lane;
    for (let k = 1; k + 1 < chain.length; k++) items[chain[k]].anchor = chain[towardLow ? k - 1 : k + 1];
    return { chain, labelItem: chain[labelColumn - rank[low]], reversed: low !== from };
  });

  // Bands, top to bottom: ROOT's own strip, then each group's band (its strip, then its children's).
  const laneOrder: string[] = [];
  const visit = (lane: string) => {
    laneOrder.push(lane);
    for (const child of children.get(lane)!) visit(child);
  };
  visit(ROOT);
  const laneRank = new Map(laneOrder.map((lane, i) => [lane, i]));

  const columnCount = items.reduce((n, it) => Math.max(n, it.column + 1), 0);
  const columns: number[][] = Array.from({ length: columnCount }, () => []);
  for (const it of items) columns[it.column].push(it.index);
  for (const column of columns) column.sort((a, b) => laneRank.get(items[a].lane)! - laneRank.get(items[b].lane)! || a - b);
  orderColumns(columns, items);

  // Columns' x: each as wide as its widest item, the gap only beside columns that hold something.
  const columnX: number[] = [];
  const columnWidth = columns.map((column) => column.reduce((w, i) => Math.max(w, items[i].width), 0));
  // Room at the left for the rectangles of the groups nested deepest.
  const start = MARGIN + GROUP_PAD * Math.max(0, ...depth.values());
  let right = start;
  columns.forEach((column, c) => {
    const gap = column.length > 0 && right > start ? COLUMN_GAP : 0;
    columnX.push(right + gap + columnWidth[c] / 2);
    right += gap + columnWidth[c];
  });
  const itemX = (i: number) => columnX[items[i].column];

  // Groups' horizontal extent: their boxes and children's rectangles, padded, and wide enough for the label.
  const extent = new Map<string, { left: number; right: number }>();
  const extentOf = (lane: string): { left: number; right: number } | undefined => {
    let left = Infinity;
    let rightEdge = -Infinity;
    for (const b of items) {
      if (b.box && b.lane === lane) {
        left = Math.min(left, itemX(b.index) - b.width / 2);
        rightEdge = Math.max(rightEdge, itemX(b.index) + b.width / 2);
      }
    }
    for (const child of children.get(lane)!) {
      const e = extentOf(child);
      if (e) [left, rightEdge] = [Math.min(left, e.left), Math.max(rightEdge, e.right)];
    }
    if (lane === ROOT) return undefined;
    if (left === Infinity) {
      // A group with nothing in it: a label-wide rectangle at the left.
      [left, rightEdge] = [MARGIN + GROUP_PAD, MARGIN + GROUP_PAD];
    }
    const e = { left: left - GROUP_PAD, right: Math.max(rightEdge + GROUP_PAD, left - GROUP_PAD + groupById.get(lane)!.labelWidth + 16) };
    extent.set(lane, e);
    return e;
  };
  extentOf(ROOT);
  // Boxes of no group (and their arrows' bends) float beside the groups where no group spans their column.
  const topLevel = children.get(ROOT)!.map((g) => extent.get(g)!);
  for (const it of items) {
    if (it.lane !== ROOT) continue;
    const x = itemX(it.index);
    it.floating = !topLevel.some((e) => x + it.width / 2 > e.left - BOX_GAP / 2 && x - it.width / 2 < e.right + BOX_GAP / 2);
  }

  // Bands' heights: each lane's strip is as tall as its tallest stack in a column.
  const gapBetween = (a: Item, b: Item) => (a.box && b.box ? BOX_GAP : a.box || b.box ? (BOX_GAP + BEND_GAP) / 2 : BEND_GAP);
  const stackHeight = (stack: readonly Item[]) => stack.reduce((h, it, k) => h + it.height + (k > 0 ? gapBetween(stack[k - 1], it) : 0), 0);
  /** A column's items of one lane (for ROOT: those beside the groups, or those in its strip), in order. */
  const stackOf = (column: readonly number[], lane: string, floating = false) => column.map((i) => items[i]).filter((it) => it.lane === lane && it.floating === floating);
  const stacks = (lane: string, floating = false) => columns.map((column) => stackOf(column, lane, floating));
  const strip = new Map<string, { top: number; bottom: number }>();
  const rects = new Map<string, Rect>();
  const place = (lane: string, top: number): number => {
    let y = top + (lane === ROOT ? 0 : GROUP_HEADER);
    const own = Math.max(0, ...stacks(lane).map(stackHeight));
    strip.set(lane, { top: y, bottom: y + own });
    y += own;
    for (const child of children.get(lane)!) {
      if (y > top + (lane === ROOT ? 0 : GROUP_HEADER)) y += BAND_GAP;
      y = place(child, y);
    }
    if (lane === ROOT) return y;
    y += GROUP_PAD;
    const e = extent.get(lane)!;
    rects.set(lane, { left: e.left, top, width: e.right - e.left, height: y - top });
    return y;
  };
  const bottom = place(ROOT, MARGIN);
  const whole = { top: MARGIN, bottom: Math.max(bottom, MARGIN + Math.max(0, ...stacks(ROOT, true).map(stackHeight))) };

  // Heights: start centred in the strip, then straighten toward the neighbours, keeping order and spacing.
  const runs: { stack: Item[]; bounds: { top: number; bottom: number } }[] = [];
  for (const column of columns) {
    for (const lane of laneOrder) {
      for (const floating of lane === ROOT ? [false, true] : [false]) {
        const stack = stackOf(column, lane, floating);
        if (stack.length > 0) runs.push({ stack, bounds: floating ? whole : strip.get(lane)! });
      }
    }
  }
  for (const { stack, bounds } of runs) {
    let y = (bounds.top + bounds.bottom) / 2 - stackHeight(stack) / 2;
    stack.forEach((it, k) => {
      if (k > 0) y += gapBetween(stack[k - 1], it);
      it.top = y;
      y += it.height;
    });
  }
  const centre = (it: Item) => it.top + it.height / 2;
  for (let pass = 0; pass < STRAIGHTENING_PASSES; pass++) {
    const order = pass % 2 === 0 ? runs : [...runs].reverse();
    for (const { stack, bounds } of order) {
      const wanted = stack.map((it) => {
        if (it.anchor !== undefined) return centre(items[it.anchor]);
        const near = [...it.left, ...it.right];
        return near.length === 0 ? centre(it) : near.reduce((s, i) => s + centre(items[i]), 0) / near.length;
      });
      settle(stack, wanted, bounds, gapBetween);
    }
  }

  const laidBoxes = new Map(boxes.map((b, i) => [b.id, { x: itemX(i), y: centre(items[i]), width: b.width, height: b.height }]));
  // Ports: the links on each side of a box, spread along the side as drawn in the order of their other ends.
  const columnEdge = (c: number, side: 1 | -1) => columnX[c] + (side * columnWidth[c]) / 2;
  const port = new Map<string, number>();
  boxes.forEach((b, i) => {
    const inset = b.inset ?? 0;
    for (const [side, links] of [['left', items[i].left], ['right', items[i].right]] as const) {
      const order = links.map((j, k) => ({ j, k })).sort((p, q) => centre(items[p.j]) - centre(items[q.j]) || p.k - q.k);
      order.forEach(({ k }, n) => port.set(`${i} ${side} ${k}`, items[i].top + inset + ((n + 1) * (b.height - inset)) / (order.length + 1)));
    }
  });
  const laidArrows = chains.map(({ chain, labelItem, reversed }) => {
    const [low, high] = [chain[0], chain[chain.length - 1]];
    const out = port.get(`${low} right ${items[low].right.indexOf(chain[1])}`)!;
    const into = port.get(`${high} left ${items[high].left.indexOf(chain[chain.length - 2])}`)!;
    const points: Point[] = [
      { x: itemX(low) + items[low].width / 2, y: out },
      { x: columnEdge(items[low].column, 1), y: out },
      ...chain.slice(1, -1).flatMap((i) => [
        { x: columnEdge(items[i].column, -1), y: centre(items[i]) },
        { x: columnEdge(items[i].column, 1), y: centre(items[i]) },
      ]),
      { x: columnEdge(items[high].column, -1), y: into },
      { x: itemX(high) - items[high].width / 2, y: into },
    ].filter((p, k, all) => k === 0 || p.x !== all[k - 1].x || p.y !== all[k - 1].y);
    return { points: reversed ? points.reverse() : points, label: { x: itemX(labelItem), y: centre(items[labelItem]) } };
  });
  const widest = Math.max(right, ...[...rects.values()].map((r) => r.left + r.width));
  return { width: Math.ceil(widest + MARGIN), height: Math.ceil(whole.bottom + MARGIN), boxes: laidBoxes, groups: rects, arrows: laidArrows };
}

/**
 * Columns of the boxes: arrows two columns on at least (their labels between); a cycle is broken by
 * reversing the arrows that close it (depth-first, in the order given). Sources move up to just before
 * their nearest target, and a box with no arrow goes to the last column its group uses.
 */
function ranks(count: number, arrows: readonly { from: number; to: number }[], lanes: readonly string[]): number[] {
  const out: number[][] = Array.from({ length: count }, () => []);
  for (const { from, to } of arrows) out[from].push(to);
  // Depth-first: an arrow to a box still on the stack closes a cycle; it is laid out reversed.
  const state = new Array<number>(count).fill(0);
  const forward: number[][] = Array.from({ length: count }, () => []);
  const visit = (v: number) => {
    state[v] = 1;
    for (const w of out[v]) {
      if (state[w] === 1) forward[w].push(v);
      else {
        forward[v].push(w);
        if (state[w] === 0) visit(w);
      }
    }
    state[v] = 2;
  };
  for (let v = 0; v < count; v++) if (state[v] === 0) visit(v);
  const incoming = new Array<number>(count).fill(0);
  for (const targets of forward) for (const w of targets) incoming[w]++;
  // Longest path from the sources, in topological order.
  const rank = new Array<number>(count).fill(0);
  const queue: number[] = [];
  for (let v = 0; v < count; v++) if (incoming[v] === 0) queue.push(v);
  const remaining = [...incoming];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k];
    for (const w of forward[v]) {
      rank[w] = Math.max(rank[w], rank[v] + 2);
      if (--remaining[w] === 0) queue.push(w);
    }
  }
  const linked = new Array<boolean>(count).fill(false);
  for (let v = 0; v < count; v++) for (const w of forward[v]) linked[v] = linked[w] = true;
  for (let v = 0; v < count; v++) if (incoming[v] === 0 && forward[v].length > 0) rank[v] = Math.min(...forward[v].map((w) => rank[w])) - 2;
  const lastOf = new Map<string, number>();
  for (let v = 0; v < count; v++) if (linked[v]) lastOf.set(lanes[v], Math.max(lastOf.get(lanes[v]) ?? 0, rank[v]));
  for (let v = 0; v < count; v++) if (!linked[v]) rank[v] = lastOf.get(lanes[v]) ?? 0;
  return rank;
}

/**
 * Orders each column's items within their band (the bands' order is fixed) to cross few arrows:
 * alternating sweeps placing each item at the mean position of its neighbours in the column before (or
 * after); the order with the fewest crossings is kept, the first found on a tie.
 */
function orderColumns(columns: number[][], items: readonly Item[]): void {
  const position = new Map<number, number>();
  const index = () => {
    for (const column of columns) column.forEach((item, k) => position.set(item, k));
  };
  const crossings = () => {
    let total = 0;
    for (let c = 0; c + 1 < columns.length; c++) {
      const links: [number, number][] = [];
      for (const i of columns[c]) for (const j of items[i].right) links.push([position.get(i)!, position.get(j)!]);
      for (let a = 0; a < links.length; a++) {
        for (let b = a + 1; b < links.length; b++) {
          if ((links[a][0] - links[b][0]) * (links[a][1] - links[b][1]) < 0) total++;
        }
      }
    }
    return total;
  };
  index();
  let best = crossings();
  let bestOrder = columns.map((c) => [...c]);
  for (let sweep = 0; sweep < SWEEPS && best > 0; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? columns.map((_, c) => c).slice(1) : columns.map((_, c) => c).reverse().slice(1);
    for (const c of order) {
      const column = columns[c];
      const mean = (i: number) => {
        const near = down ? items[i].left : items[i].right;
        return near.length === 0 ? undefined : near.reduce((s, j) => s + position.get(j)!, 0) / near.length;
      };
      // Within each band's run of the column: items with neighbours sorted by their mean, the others stay put.
      let start = 0;
      while (start < column.length) {
        let end = start;
        while (end < column.length && items[column[end]].lane === items[column[start]].lane) end++;
        const run = column.slice(start, end);
        const movable = run.filter((i) => mean(i) !== undefined).map((i, k) => ({ i, m: mean(i)!, k }));
        movable.sort((a, b) => a.m - b.m || a.k - b.k);
        let next = 0;
        for (let k = start; k < end; k++) if (mean(column[k]) !== undefined) column[k] = movable[next++].i;
        start = end;
      }
      column.forEach((item, k) => position.set(item, k));
    }
    const now = crossings();
    if (now < best) {
      best = now;
      bestOrder = columns.map((c) => [...c]);
    }
  }
  bestOrder.forEach((order, c) => (columns[c] = order));
}

/**
 * Moves a stack's items (in order, spaced by `gap`) as close as it can to the wanted centres, in the
 * least-squares sense, within `bounds`: isotonic regression (pool adjacent violators) on the centres less
 * each item's offset in the tightest stack, then clamped.
 */
function settle(stack: Item[], wanted: readonly number[], bounds: { top: number; bottom: number }, gap: (a: Item, b: Item) => number): void {
  const offset: number[] = [];
  let o = 0;
  stack.forEach((it, k) => {
    if (k > 0) o += gap(stack[k - 1], it);
    offset.push(o);
    o += it.height;
  });
  const total = o;
  // Wanted tops, less the offsets: the fitted values must not decrease.
  const blocks: { sum: number; count: number }[] = [];
  stack.forEach((it, k) => {
    blocks.push({ sum: wanted[k] - it.height / 2 - offset[k], count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].sum / blocks[blocks.length - 2].count > blocks[blocks.length - 1].sum / blocks[blocks.length - 1].count) {
      const last = blocks.pop()!;
      blocks[blocks.length - 1].sum += last.sum;
      blocks[blocks.length - 1].count += last.count;
    }
  });
  const low = bounds.top;
  const high = Math.max(bounds.top, bounds.bottom - total);
  let k = 0;
  for (const block of blocks) {
    const value = Math.min(high, Math.max(low, block.sum / block.count));
    for (let n = 0; n < block.count; n++, k++) stack[k].top = value + offset[k];
  }
}
