import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { captureIO, tempProject } from '../helpers';

interface ReachJson {
  hops: { from: string; to: string; allows: { service: string; rules: string[] }[] }[];
  paths: { origin: string; zone: string; through?: string[] }[];
  matrix: { from: string; to: string; services: string[] }[];
  difference?: { gained: { from: string; to: string; service: string; rules: string[] }[]; lost: { from: string; to: string; service: string }[]; affectedSystems: string[]; paths: { origin: string; zone: string; before?: number; after?: number }[] };
  rules: { rule: string; status: string }[];
  mandatoryFailures: number;
}

let root: string;
beforeAll(async () => {
  root = tempProject('ndc-reach-');
  const { io } = captureIO(root);
  expect(await main(['synth', '--env', 'prod'], io)).toBe(0);
  cpSync(join(root, 'out/prod'), join(root, 'approved-prod'), { recursive: true });
});

async function reach(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const { io, out, err } = captureIO(root);
  const code = await main(['reach', '--env', 'prod', ...args], io);
  return { code, out: out.join('\n'), err };
}

describe('ndc reach', () => {
  it('prints one-hop reachability with its rules, the zone matrix and the attack paths; exit 0 on prod', async () => {
    const { code, out, err } = await reach(['--to', 'population-db']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toContain('  gov-network -> vm:north/population-db/ips\n      tcp/443          terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_rule_v2.population-db-ips-ingress-0-0');
    expect(out).toContain('  from gov-network to north/population-db/database: gov-network > vm:north/population-db/ips > vm:north/population-db/api > vm:north/population-db/dbfw (3 hops)');
    expect(out).toContain('  from internet to north/population-db/database: not reachable');
    expect(out).toMatch(/PASS: NDC-NET rules: 0 mandatory failures, 0 advisory$/);
  });

  it('filters by --from and --to and prints JSON and markdown', async () => {
    const json = JSON.parse((await reach(['--from', 'internet', '--to', 'north', '--format', 'json'])).out) as ReachJson;
    expect(json.hops.length).toBeGreaterThan(0);
    expect(json.hops.every((h) => h.from === 'internet' && /:north\//.test(h.to))).toBe(true);
    expect(json.matrix).toContainEqual({ from: 'internet', to: 'north/public-service-portal/edge', services: ['tcp/443'] });
    expect(json.rules.every((r) => r.rule.startsWith('NDC-NET-'))).toBe(true);
    const markdown = (await reach(['--to', 'database', '--format', 'markdown'])).out;
    expect(markdown).toContain('| `vm:north/public-service-portal/dbfw` | `vm:north/public-service-portal/db` | tcp/5432 |');
    expect(markdown).toContain('## Attack paths');
  });

  it('refuses bad input with one line and exit 2', async () => {
    expect(await reach(['--from', 'nowhere'])).toMatchObject({ code: 2, err: [expect.stringMatching(/^ndc reach: --from: "nowhere" matches no endpoint/)] });
    expect(await reach(['--format', 'sarif'])).toMatchObject({ code: 2, err: ['ndc reach: --format: "sarif" is not a reach format (formats: text, json, markdown)'] });
    expect(await reach(['--against', 'no-such-dir'])).toMatchObject({ code: 2, err: ['ndc reach: --against: "no-such-dir" holds no manifest.json (give a directory as ndc synth writes out/<env>/)'] });
  });

  it('shows a security-group rule edited by hand in out/ as new reachability, in the difference and in the verdict (exit 1)', async () => {
    const file = join(root, 'out/prod/terraform/cluster-north/cdk.tf.json');
    const pristine = readFileSync(file, 'utf8');
    const config = JSON.parse(pristine) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    // The database's rule admitting the database firewall (a remote group) widened to anywhere.
    const widened = config.resource.openstack_networking_secgroup_rule_v2['population-db-db-ingress-3-0'];
    delete widened.remote_group_id;
    widened.remote_ip_prefix = '0.0.0.0/0';
    writeFileSync(file, JSON.stringify(config, null, 2));
    try {
      const { code, out, err } = await reach(['--against', 'approved-prod', '--format', 'json']);
      expect(err).toEqual(['ndc reach: out/prod/ differs from its manifest (terraform/cluster-north/cdk.tf.json); analysing the files as they stand']);
      expect(code).toBe(1);
      const json = JSON.parse(out) as ReachJson;
      expect(json.difference!.gained).toContainEqual({ from: 'internet', to: 'vm:north/population-db/db', service: 'tcp/5432', rules: ['terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_rule_v2.population-db-db-ingress-3-0'] });
      expect(json.difference!.affectedSystems).toContain('population-db');
      expect(json.difference!.paths).toContainEqual({ origin: 'internet', zone: 'north/population-db/database', after: 1 });
      expect(json.rules).toContainEqual(expect.objectContaining({ rule: 'NDC-NET-001', status: 'fail' }));
      // The other way round, the same hop is what stopped being reachable.
      cpSync(join(root, 'out/prod'), join(root, 'edited-prod'), { recursive: true });
    } finally {
      writeFileSync(file, pristine);
    }
    const back = JSON.parse((await reach(['--against', 'edited-prod', '--format', 'json'])).out) as ReachJson;
    expect(back.difference!.lost).toContainEqual(expect.objectContaining({ from: 'internet', to: 'vm:north/population-db/db', service: 'tcp/5432' }));
    expect(back.difference!.gained).toEqual([]);
    expect(JSON.parse((await reach(['--against', 'approved-prod', '--format', 'json'])).out).difference).toEqual({ gained: [], lost: [], paths: [], affectedSystems: [] });
  });
});
