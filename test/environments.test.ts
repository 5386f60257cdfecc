import { writeFileSync } from 'node:fs';
import { validateEnvironment } from '../environments/validate';
import { loadEnvironment, listEnvironments } from '../environments/load';
import { InputError, InputProblems } from '../core/errors';
import type { EnvironmentInput } from '../environments/schema';
import { environmentInput, REPO, tempProject, writeEnvironmentJson } from './helpers';

const SOURCE = 'environments/prod.ts';

/** Validates a mutated copy of prod and returns its first problem, one line (the others are tested below). */
function errorFor(mutate: (env: EnvironmentInput & Record<string, unknown>) => void): string {
  const env = environmentInput('prod') as EnvironmentInput & Record<string, unknown>;
  mutate(env);
  try {
    validateEnvironment(env, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = error instanceof InputProblems ? error.problems[0].message : (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the environment to be rejected');
}

describe('environment files', () => {
  it.each(['dev', 'staging', 'prod'])('%s loads and validates', (name) => {
    const { env, source } = loadEnvironment(REPO, name);
    expect(env.name).toBe(name);
    expect(source).toBe(`environments/${name}.ts`);
  });

  it('lists the environments of the project', () => {
    expect(listEnvironments(REPO)).toEqual(['dev', 'prod', 'staging']);
  });

  it('prod has the three national clusters, each with two or more zones, coordinates, PUE and an address plan', () => {
    const { env } = loadEnvironment(REPO, 'prod');
    expect(env.regions.map((r) => r.id)).toEqual(['north', 'central', 'south']);
    expect(env.regions[0].name).toContain('Hoa Lac');
    expect(env.regions[1].name).toContain('Da Nang');
    expect(env.regions[2].name).toContain('Ho Chi Minh City');
    for (const region of env.regions) {
      expect(region.availabilityZones.length).toBeGreaterThanOrEqual(2);
      expect(region.green.pue).toBeLessThanOrEqual(region.green.pueTarget);
      expect(region.green.energySource).not.toBe('');
      expect(Object.keys(region.addressPlan.segments)).toHaveLength(8);
    }
  });

  it('prod hosts the six national systems at their levels', () => {
    const { env } = loadEnvironment(REPO, 'prod');
    const levels = Object.fromEntries(env.systems.map((s) => [s.id, s.level]));
    expect(levels).toEqual({
      'public-service-portal': 4,
      'population-db': 5,
      'e-document-exchange': 3,
      'online-meeting': 3,
      'digital-signature-ca': 4,
      'open-data-portal': 2,
    });
    for (const system of env.systems) {
      expect(system.recoveryRegion).toBeDefined();
      expect(system.recoveryRegion).not.toBe(system.primaryRegion);
      expect(system.ownerAgency).not.toBe('');
      expect(system.tiers.length).toBeGreaterThan(0);
    }
  });
});

describe('environment validation errors name file, field path, value and reason', () => {
  it('refuses a state connection variable that holds another credential (deploy hands it to tofu)', () => {
    for (const name of ['NDC_LEDGER_URL', 'NDC_EDGE_AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_ACCESS_KEY', 'KUBECONFIG']) {
      const message = errorFor((env) => {
        env.state = { backend: 'pg', schemaName: 'ndc_prod', connStrEnv: name };
      });
      expect(message).toMatch(/^environments\/prod\.ts: state\.connStrEnv: .*names a variable that holds another credential or setting/);
    }
    const env = environmentInput('prod');
    env.state = { backend: 'pg', schemaName: 'ndc_prod', connStrEnv: 'NDC_PROD_PG' };
    expect(validateEnvironment(env, SOURCE).state).toEqual({ backend: 'pg', schemaName: 'ndc_prod', connStrEnv: 'NDC_PROD_PG' });
  });

  it('rejects overlapping CIDRs inside a region', () => {
    const message = errorFor((env) => {
      env.regions[0].addressPlan.segments.dmz = env.regions[0].addressPlan.segments.edge;
    });
    expect(message).toBe('environments/prod.ts: regions[0].addressPlan.segments.dmz: "10.10.0.0/22": overlaps regions[0].addressPlan.segments.edge (10.10.0.0/22)');
  });

  it('rejects overlapping CIDRs across regions', () => {
    const message = errorFor((env) => {
      env.regions[2].addressPlan = { ...env.regions[2].addressPlan, cidr: '10.10.0.0/16' };
    });
    expect(message).toBe('environments/prod.ts: regions[2].addressPlan.cidr: "10.10.0.0/16": overlaps regions[0].addressPlan.cidr (10.10.0.0/16)');
    expect(errorFor((env) => {
      env.interconnect.cidr = '10.20.0.0/24';
    })).toBe('environments/prod.ts: regions[1].addressPlan.cidr: "10.20.0.0/16": overlaps interconnect.cidr (10.20.0.0/24)');
  });

  it('rejects a subnet outside its region range', () => {
    const message = errorFor((env) => {
      env.regions[1].addressPlan.segments.database = '10.99.12.0/22';
    });
    expect(message).toBe("environments/prod.ts: regions[1].addressPlan.segments.database: \"10.99.12.0/22\": is outside its region's range 10.20.0.0/16");
  });

  it('rejects a block that is not a CIDR', () => {
    expect(errorFor((env) => {
      env.regions[0].addressPlan.segments.edge = '10.10.0.1/22';
    })).toContain('regions[0].addressPlan.segments.edge: "10.10.0.1/22": has host bits set');
  });

  it('rejects an unknown region reference', () => {
    const message = errorFor((env) => {
      env.systems![1].primaryRegion = 'west';
    });
    expect(message).toBe('environments/prod.ts: systems[1].primaryRegion: "west": is not a region of this environment (regions: north, central, south)');
  });

  it('rejects an unknown backup-copy region', () => {
    expect(errorFor((env) => {
      env.systems![0].backup!.copies![0].region = 'mars';
    })).toContain('systems[0].backup.copies[0].region: "mars": is not a region');
  });

  it('rejects an unknown segment reference', () => {
    const message = errorFor((env) => {
      delete env.regions[1].addressPlan.segments.database;
    });
    // e-document-exchange runs in central and has a database tier.
    expect(message).toContain('systems[2].tiers[2].zone: "database": unknown segment: region central has no database segment');
  });

  it('rejects duplicate ids', () => {
    expect(errorFor((env) => {
      env.systems![3].id = env.systems![2].id;
    })).toBe('environments/prod.ts: systems[3].id: "e-document-exchange": duplicate system id (already used at systems[2].id)');
    expect(errorFor((env) => {
      env.regions[1].id = 'north';
    })).toContain('regions[1].id: "north": duplicate region id');
  });

  it('rejects a security level outside 1-5', () => {
    expect(errorFor((env) => {
      env.systems![0].level = 6;
    })).toBe('environments/prod.ts: systems[0].level: 6: security level must be 1, 2, 3, 4 or 5 (Decree 85/2016/ND-CP)');
    expect(errorFor((env) => {
      env.systems![0].level = 0;
    })).toContain('systems[0].level: 0: security level must be 1, 2, 3, 4 or 5');
  });

  it('loads a production environment with fewer than three regional clusters: rule NDC-TOP-001 judges the count', () => {
    const env = environmentInput('prod');
    env.regions = env.regions.slice(0, 2);
    env.systems = [];
    env.interconnect.links = env.interconnect.links!.filter((l) => l.between.every((end) => end !== 'south'));
    expect(validateEnvironment(env, SOURCE).regions.map((r) => r.id)).toEqual(['north', 'central']);
  });

  it('rejects a recovery region equal to the primary', () => {
    expect(errorFor((env) => {
      env.systems![1].recoveryRegion = env.systems![1].primaryRegion;
    })).toBe('environments/prod.ts: systems[1].recoveryRegion: "north": is the same as primaryRegion; recovery must be in another regional cluster');
  });

  it('rejects unknown fields and wrong types with the field path', () => {
    expect(errorFor((env) => {
      (env.regions[0] as Record<string, unknown>).pue = 1.2;
    })).toContain('regions[0]: ');
    expect(errorFor((env) => {
      (env.systems![0] as Record<string, unknown>).level = 'four';
    })).toMatch(/systems\[0\]\.level: "four": .*number/i);
  });

  it('refuses a controls block: every control is built and found in the artifacts or evidence, switched off only by a dated exception', () => {
    for (const flag of ['waf', 'ips', 'databaseFirewall', 'privilegedAccessManagement', 'adminVpn', 'ddosProtection', 'siem', 'monitoring247']) {
      expect(errorFor((env) => {
        (env.systems![0] as Record<string, unknown>).controls = { [flag]: false };
      })).toMatch(/^environments\/prod\.ts: systems\[0\]: .*: unknown field "controls"$/);
    }
  });

  it('rejects a backup schedule that is not a cron expression, in one line naming the field', () => {
    expect(errorFor((env) => {
      env.systems![0].backup!.schedule = '99 99 99 99 banana';
    })).toBe('environments/prod.ts: systems[0].backup.schedule: "99 99 99 99 banana": is not a valid cron expression: minute "99": 99 is above the field\'s maximum 59');
    expect(errorFor((env) => {
      env.systems![0].backup!.schedule = '0 1 * *';
    })).toBe('environments/prod.ts: systems[0].backup.schedule: "0 1 * *": must be a five-field cron expression, e.g. "0 1 * * *" (has 4 fields)');
  });

  it('rejects a dedicated network that overlaps a segment', () => {
    expect(errorFor((env) => {
      env.systems![0].dedicatedNetworks = { north: '10.10.0.0/21', south: '10.30.128.0/21' };
    })).toContain('overlaps regions[0].addressPlan.segments.edge');
  });
});

describe('loading environment files', () => {
  it('names a missing environment and lists the known ones', () => {
    expect(() => loadEnvironment(REPO, 'qa')).toThrow('environments/qa.ts: no such environment file (known: dev, prod, staging)');
  });

  it('reports malformed JSON with the file name', () => {
    const root = tempProject();
    writeFileSync(`${root}/environments/broken.json`, '{ "name": "broken", ');
    expect(() => loadEnvironment(root, 'broken')).toThrow(/^environments\/broken\.json:1:21: is not valid JSON: unexpected end of file/);
  });

  it('reports a TypeScript file that fails to load', () => {
    const root = tempProject();
    writeFileSync(`${root}/environments/oops.ts`, 'throw new Error("region table missing");\n');
    expect(() => loadEnvironment(root, 'oops')).toThrow('environments/oops.ts: cannot be loaded: region table missing');
  });

  it('requires the name inside the file to match the file name', () => {
    const root = tempProject();
    writeEnvironmentJson(root, 'copy', environmentInput('dev'));
    expect(() => loadEnvironment(root, 'copy')).toThrow('environments/copy.json: name: "dev": must equal the file name "copy"');
  });
});
