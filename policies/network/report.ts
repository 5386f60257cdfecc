import { escapeHtml as h } from '../reports/escape';
import type { Endpoint } from './model';
import { attackPaths, zoneMatrix, type AttackPath, type Hop, type Reachability } from './reachability';
import { showRule, showService } from './services';

/**
 * What `ndc reach` prints and the HTML report shows: endpoints, one-hop reachability with the rules that
 * allow it, the zone-by-zone matrix, attack paths, and the difference between two artifact sets.
 */

export interface HopView {
  readonly from: string;
  readonly to: string;
  readonly allows: readonly { readonly service: string; readonly rules: readonly string[] }[];
}

export interface PathView {
  readonly origin: string;
  readonly zone: string;
  readonly zoneKind: string;
  /** Endpoints from the origin to the target, or absent when the zone cannot be reached. */
  readonly through?: readonly string[];
  readonly hops?: readonly HopView[];
}

export interface ReachChange {
  readonly from: string;
  readonly to: string;
  readonly service: string;
  readonly rules: readonly string[];
}

export interface ReachDifference {
  /** Allowances present after and not before. */
  readonly gained: readonly ReachChange[];
  /** Allowances present before and not after. */
  readonly lost: readonly ReachChange[];
  /** Attack-path targets whose reachability from the internet or the government network changed (hops before -> after). */
  readonly paths: readonly { readonly origin: string; readonly zone: string; readonly before?: number; readonly after?: number }[];
  /** Systems whose reachability changed: affected by the change even where none of their own resources did. */
  readonly affectedSystems: readonly string[];
}

export interface ReachView {
  readonly endpoints: readonly { readonly id: string; readonly kind: string; readonly zone: string; readonly zoneKind: string; readonly system?: string; readonly level?: number; readonly members: number }[];
  readonly hops: readonly HopView[];
  readonly matrix: readonly { readonly from: string; readonly to: string; readonly services: readonly string[] }[];
  readonly paths: readonly PathView[];
}

const hopView = (hop: Hop): HopView => ({ from: hop.from, to: hop.to, allows: hop.allows.map((a) => ({ service: showService(a.service), rules: a.rules.map(showRule) })) });

const pathView = (p: AttackPath): PathView => ({ origin: p.origin, zone: p.zone, zoneKind: p.zoneKind, through: p.hops ? (p.hops.length > 0 ? [p.hops[0].from, ...p.hops.map((x) => x.to)] : [p.origin]) : undefined, hops: p.hops?.map(hopView) });

/** A selector (`internet`, a cluster, a system, a zone id or kind, an endpoint id) matches endpoints. */
export function matches(selector: string, e: Endpoint): boolean {
  const bare = e.id.replace(/^[a-z]+:/, '');
  return [e.id, bare, e.zone, e.zoneKind, e.system, e.cluster, e.tier, e.service, e.cluster && e.system ? `${e.cluster}/${e.system}` : undefined].includes(selector);
}

export function reachView(reach: Reachability, filter: { readonly from?: string; readonly to?: string } = {}): ReachView {
  const byId = reach.model.byId;
  const fromOk = (id: string) => filter.from === undefined || matches(filter.from, byId.get(id)!);
  const toOk = (id: string) => filter.to === undefined || matches(filter.to, byId.get(id)!);
  const hops = reach.hops.filter((x) => fromOk(x.from) && toOk(x.to));
  const matrix: { from: string; to: string; services: string[] }[] = [];
  for (const [from, row] of zoneMatrix({ ...reach, hops })) for (const [to, services] of row) matrix.push({ from, to, services });
  const origins = filter.from === undefined ? undefined : [{ label: filter.from, ids: reach.model.endpoints.filter((e) => matches(filter.from!, e)).map((e) => e.id) }];
  const zoneMatches = (zone: string) => {
    const z = reach.model.zones.get(zone);
    return z !== undefined && [z.id, z.kind, z.system, z.cluster, z.cluster && z.system ? `${z.cluster}/${z.system}` : undefined].includes(filter.to);
  };
  const paths = attackPaths(reach, origins).filter((p) => filter.to === undefined || zoneMatches(p.zone) || reach.model.endpoints.some((e) => e.zone === p.zone && matches(filter.to!, e)));
  return {
    endpoints: reach.model.endpoints.map((e) => ({ id: e.id, kind: e.kind, zone: e.zone, zoneKind: e.zoneKind, system: e.system, level: e.level, members: e.members.length })),
    hops: hops.map(hopView),
    matrix,
    paths: paths.map(pathView),
  };
}

/** What became reachable and what stopped being reachable from `before` to `after`. */
export function reachDifference(before: Reachability, after: Reachability): ReachDifference {
  const flat = (reach: Reachability) => {
    const out = new Map<string, ReachChange>();
    for (const hop of reach.hops) for (const a of hop.allows) out.set(`${hop.from}\u0000${hop.to}\u0000${showService(a.service)}`, { from: hop.from, to: hop.to, service: showService(a.service), rules: a.rules.map(showRule) });
    return out;
  };
  const b = flat(before);
  const a = flat(after);
  const gained = [...a].filter(([k]) => !b.has(k)).map(([, v]) => v);
  const lost = [...b].filter(([k]) => !a.has(k)).map(([, v]) => v);
  const systems = new Set<string>();
  for (const change of [...gained, ...lost]) {
    for (const id of [change.from, change.to]) {
      const system = after.model.byId.get(id)?.system ?? before.model.byId.get(id)?.system;
      if (system) systems.add(system);
    }
  }
  const lengths = (reach: Reachability) => new Map(attackPaths(reach).map((p) => [`${p.origin}\u0000${p.zone}`, p.hops?.length]));
  const pb = lengths(before);
  const pa = lengths(after);
  const paths: { origin: string; zone: string; before?: number; after?: number }[] = [];
  for (const key of [...new Set([...pb.keys(), ...pa.keys()])].sort()) {
    if (pb.get(key) === pa.get(key)) continue;
    const [origin, zone] = key.split('\u0000');
    paths.push({ origin, zone, before: pb.get(key), after: pa.get(key) });
  }
  return { gained, lost, paths, affectedSystems: [...systems].sort() };
}

const pathLine = (p: PathView) => (p.through ? `${p.through.join(' > ')} (${p.through.length - 1} hop${p.through.length === 2 ? '' : 's'})` : 'not reachable');

export function reachText(view: ReachView, difference?: ReachDifference): string {
  const out: string[] = [];
  out.push(`Endpoints: ${view.endpoints.length}; one-hop reachabilities shown: ${view.hops.length}`, '');
  out.push('One-hop reachability (source -> destination: what is allowed, by which rules):');
  for (const hop of view.hops) {
    out.push(`  ${hop.from} -> ${hop.to}`);
    for (const a of hop.allows) out.push(`      ${a.service.padEnd(16)} ${a.rules.join(' + ')}`);
  }
  out.push('', 'Zone by zone:');
  for (const m of view.matrix) out.push(`  ${m.from} -> ${m.to}: ${m.services.join(', ')}`);
  out.push('', 'Attack paths (shortest, to every database, management and device-management zone):');
  for (const p of view.paths) out.push(`  from ${p.origin} to ${p.zone}: ${pathLine(p)}`);
  if (difference) out.push('', ...differenceText(difference));
  return `${out.join('\n')}\n`;
}

function differenceText(d: ReachDifference): string[] {
  const out = [`Difference against the other artifact set: ${d.gained.length} became reachable, ${d.lost.length} stopped being reachable`];
  for (const c of d.gained) out.push(`  + ${c.from} -> ${c.to} ${c.service} (${c.rules.join(' + ')})`);
  for (const c of d.lost) out.push(`  - ${c.from} -> ${c.to} ${c.service} (${c.rules.join(' + ')})`);
  for (const p of d.paths) out.push(`  path from ${p.origin} to ${p.zone}: ${p.before === undefined ? 'unreachable' : `${p.before} hops`} -> ${p.after === undefined ? 'unreachable' : `${p.after} hops`}`);
  out.push(`  systems affected: ${d.affectedSystems.length ? d.affectedSystems.join(', ') : 'none'}`);
  return out;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function reachMarkdown(view: ReachView, difference?: ReachDifference): string {
  const out: string[] = ['# Reachability', '', `${view.endpoints.length} endpoints, ${view.hops.length} one-hop reachabilities.`, ''];
  out.push('## One-hop reachability', '', '| from | to | allowed | rules |', '|---|---|---|---|');
  for (const hop of view.hops) for (const a of hop.allows) out.push(`| \`${cell(hop.from)}\` | \`${cell(hop.to)}\` | ${cell(a.service)} | ${a.rules.map((r) => `\`${cell(r)}\``).join('<br>')} |`);
  out.push('', '## Zone by zone', '', '| from zone | to zone | services |', '|---|---|---|');
  for (const m of view.matrix) out.push(`| ${cell(m.from)} | ${cell(m.to)} | ${cell(m.services.join(', '))} |`);
  out.push('', '## Attack paths', '', '| from | to zone | shortest path |', '|---|---|---|');
  for (const p of view.paths) out.push(`| ${cell(p.origin)} | ${cell(p.zone)} | ${cell(pathLine(p))} |`);
  if (difference) out.push('', '## Difference', '', ...differenceText(difference).map((l) => (l.startsWith('  ') ? `- ${l.trim()}` : l)));
  return `${out.join('\n')}\n`;
}

/** More destination zones than this and the HTML matrix is folded to cluster and zone kind. */
export const MAX_MATRIX_COLUMNS = 60;

/** The reachability section of the HTML policy report: the zone matrix and the attack paths. */
export function reachHtmlSection(view: ReachView, maxColumns = MAX_MATRIX_COLUMNS): string {
  const zones = [...new Set(view.matrix.flatMap((m) => [m.from, m.to]))].sort();
  // A large cloud's matrix is folded to cluster and zone kind, so the report stays readable.
  const kindOf = new Map(view.endpoints.map((e) => [e.zone, e.zoneKind]));
  const folded = new Set(view.matrix.map((m) => m.to)).size > maxColumns;
  const fold = (zone: string) => (folded ? `${zone.split('/')[0]}${kindOf.has(zone) && zone.includes('/') ? `/${kindOf.get(zone)}` : ''}` : zone);
  const cells = new Map<string, Set<string>>();
  for (const m of view.matrix) {
    const key = `${fold(m.from)}\u0000${fold(m.to)}`;
    const cell = cells.get(key) ?? cells.set(key, new Set()).get(key)!;
    for (const s of m.services) cell.add(s);
  }
  const targets = [...new Set(view.matrix.map((m) => fold(m.to)))].sort();
  const sources = [...new Set(view.matrix.map((m) => fold(m.from)))].sort();
  const out: string[] = ['<h2 id="reachability">Reachability</h2>'];
  out.push(`<p><small>Computed from the artifacts of all engines: ${view.endpoints.length} endpoints, ${view.hops.length} one-hop reachabilities between ${zones.length} zones${folded ? ', folded here to cluster and zone kind' : ''}. Rows are source zones, columns destination zones; <code>ndc reach</code> lists each with the rules that allow it.</small></p>`);
  out.push(`<table><tr><th>from \\ to</th>${targets.map((t) => `<th>${h(t)}</th>`).join('')}</tr>`);
  for (const s of sources) out.push(`<tr><td>${h(s)}</td>${targets.map((t) => (cells.has(`${s}\u0000${t}`) ? `<td>${h([...cells.get(`${s}\u0000${t}`)!].sort().join(', '))}</td>` : '<td class="none">-</td>')).join('')}</tr>`);
  out.push('</table>');
  out.push('<h3 id="attack-paths">Attack paths</h3>', '<p><small>Shortest paths from the internet and the government network to every database, management and device-management zone, assuming a reached host can be used to go on.</small></p>');
  out.push('<table><tr><th>from</th><th>to zone</th><th>shortest path</th></tr>');
  for (const p of view.paths) out.push(`<tr${p.through ? ' class="waived"' : ''}><td>${h(p.origin)}</td><td>${h(p.zone)}</td><td>${h(pathLine(p))}</td></tr>`);
  out.push('</table>');
  return out.join('\n');
}
