#!/usr/bin/env node
// Creates what the shared environments keep in PostgreSQL, idempotently:
//   - the Terraform state database and one schema per stack (the `pg` backend's schema_name, read from
//     the synthesized out/<env>/terraform/<stack>/cdk.tf.json, so it always matches what will run);
//   - the ledger database.
// The admin connection comes from NDC_BOOTSTRAP_PG_URL (postgres://user:password@host:port/db); it is
// split into PGHOST/PGPORT/PGUSER/PGPASSWORD for psql so the password is never on a command line.
// Usage: node scripts/bootstrap-state.mjs [--env staging --env prod] [--state-db ndc_state] [--ledger-db ndc_ledger] [--dry-run]
import { parseArgs } from 'node:util';
import { fileURLToPath, URL } from 'node:url';
import { $, fs, path } from 'zx';

const { values } = parseArgs({
  options: {
    env: { type: 'string', multiple: true, default: ['staging', 'prod'] },
    'state-db': { type: 'string', default: process.env.NDC_STATE_DB || 'ndc_state' },
    'ledger-db': { type: 'string', default: process.env.NDC_LEDGER_DB || 'ndc_ledger' },
    'dry-run': { type: 'boolean', default: false },
  },
});

const NDC = fileURLToPath(new URL('../bin/ndc.js', import.meta.url));
// The project whose environments are bootstrapped (ndc reads NDC_ROOT too).
const ROOT = process.env.NDC_ROOT || process.cwd();
const IDENT = /^[a-z_][a-z0-9_]*$/;
function fail(message) {
  console.error(`bootstrap-state: ${message}`);
  process.exit(2);
}
for (const [flag, name] of [['--state-db', values['state-db']], ['--ledger-db', values['ledger-db']]]) {
  if (!IDENT.test(name)) fail(`${flag} ${JSON.stringify(name)}: must be a PostgreSQL identifier (lower-case letters, digits, _)`);
}

/** The schemas the pg backend of each environment's stacks uses, from the synthesized artifacts. */
async function stateSchemas(env) {
  const synth = await $({ nothrow: true, quiet: true })`${process.execPath} ${NDC} synth --env ${env}`;
  if (synth.exitCode !== 0) fail(`ndc synth --env ${env} failed: ${synth.stderr.trim()}`);
  const dir = path.join(ROOT, 'out', env, 'terraform');
  const schemas = [];
  for (const stack of (await fs.readdir(dir)).sort()) {
    const config = JSON.parse(await fs.readFile(path.join(dir, stack, 'cdk.tf.json'), 'utf8'));
    const schema = config.terraform?.backend?.pg?.schema_name;
    if (schema === undefined) continue; // local state (dev)
    if (!IDENT.test(schema)) fail(`out/${env}/terraform/${stack}/cdk.tf.json: schema_name ${JSON.stringify(schema)} is not a PostgreSQL identifier`);
    schemas.push(schema);
  }
  return schemas;
}

const schemas = [];
for (const env of values.env) schemas.push(...(await stateSchemas(env)));
const stateDb = values['state-db'];
const ledgerDb = values['ledger-db'];
const plan = [
  { db: 'postgres', sql: `SELECT 'CREATE DATABASE ${stateDb}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${stateDb}')\\gexec` },
  { db: 'postgres', sql: `SELECT 'CREATE DATABASE ${ledgerDb}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${ledgerDb}')\\gexec` },
  ...schemas.map((schema) => ({ db: stateDb, sql: `CREATE SCHEMA IF NOT EXISTS ${schema};` })),
];

if (values['dry-run']) {
  for (const { db, sql } of plan) console.log(`[${db}] ${sql}`);
  process.exit(0);
}

const url = process.env.NDC_BOOTSTRAP_PG_URL;
if (!url) fail('NDC_BOOTSTRAP_PG_URL is not set: export an admin connection URL (postgres://user:password@host:port/postgres)');
let parsed;
try {
  parsed = new URL(url);
} catch {
  fail('NDC_BOOTSTRAP_PG_URL is not a URL (postgres://user:password@host:port/postgres)');
}
if (!/^postgres(ql)?:$/.test(parsed.protocol)) fail('NDC_BOOTSTRAP_PG_URL must be a postgres:// URL');
const pgEnv = {
  ...process.env,
  PGHOST: parsed.hostname || 'localhost',
  PGPORT: parsed.port || '5432',
  PGUSER: decodeURIComponent(parsed.username || 'postgres'),
  PGPASSWORD: decodeURIComponent(parsed.password),
  PGCONNECT_TIMEOUT: '10',
};
$.verbose = false;
for (const { db, sql } of plan) {
  const result = await $({ env: { ...pgEnv, PGDATABASE: db }, input: `${sql}\n`, nothrow: true, quiet: true })`psql -v ON_ERROR_STOP=1 -q -X`;
  if (result.exitCode !== 0) {
    console.error(`bootstrap-state: [${db}] ${sql} failed: ${result.stderr.trim().split('\n')[0]}`);
    process.exit(1);
  }
  console.log(`bootstrap-state: [${db}] ${sql.replace(/\\gexec$/, '')} ok`);
}
console.log(`bootstrap-state: state database ${stateDb} (${schemas.length} schemas) and ledger database ${ledgerDb} are ready`);
console.log(`bootstrap-state: point PG_CONN_STR at ${stateDb} and NDC_LEDGER_URL at ${ledgerDb}`);
console.log(`bootstrap-state: then, with the ledger database owner's URL, run npx ndc ledger init --grant <everyday role> once (docs/ledger.md)`);
