import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../environments/load';
import { environmentSourceMap, regionLocation, systemLocation } from '../environments/source-map';
import { REPO, tempProject } from './helpers';

/** Where an environment defines each system: found when it is loaded, in the file and the modules it imports. */

const lineOf = (file: string, text: string) => readFileSync(join(REPO, file), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

describe('environment source map', () => {
  it('finds prod\'s systems in environments/shared/national.ts, which prod.ts imports', () => {
    const loaded = loadEnvironment(REPO, 'prod');
    expect(loaded.locations.file).toBe('environments/prod.ts');
    for (const system of loaded.env.systems) {
      expect(systemLocation(loaded.locations, system.id)).toEqual({ file: 'environments/shared/national.ts', line: lineOf('environments/shared/national.ts', `id: '${system.id}'`) });
    }
    // Regions are built by a function there; they point at the environment's `regions:`.
    expect(regionLocation(loaded.locations, 'north')).toEqual({ file: 'environments/prod.ts', line: lineOf('environments/prod.ts', 'regions:') });
  });

  it('reads JSON environments, follows chains of relative imports once, and never leaves the project', () => {
    const root = tempProject('ndc-source-map-');
    mkdirSync(join(root, 'environments', 'lib'), { recursive: true });
    writeFileSync(join(root, 'environments', 'lib', 'a.ts'), "import { b } from './b';\nexport const a = [\n  { id: 'alpha' },\n  ...b,\n];\n");
    writeFileSync(join(root, 'environments', 'lib', 'b.ts'), "import { a } from './a';\nimport 'zod';\nexport const b = [{ id: \"beta\" }];\nvoid a;\n");
    writeFileSync(join(root, 'environments', 'x.ts'), "import { a } from './lib/a';\nimport { c } from '../../outside';\nexport default {\n  systems: a,\n  regions: [{ id: 'alpha' }],\n};\n");
    const map = environmentSourceMap(root, 'environments/x.ts');
    // The first definition wins: the environment file itself, then its imports in order.
    expect(map.ids).toEqual({ alpha: { file: 'environments/x.ts', line: 5 }, beta: { file: 'environments/lib/b.ts', line: 3 } });
    expect(map.keys.systems).toEqual({ file: 'environments/x.ts', line: 4 });
    expect(systemLocation(map, 'gamma')).toEqual({ file: 'environments/x.ts', line: 4 });
    writeFileSync(join(root, 'environments', 'y.json'), JSON.stringify({ systems: [{ id: 'delta', name: 'D' }] }, null, 2));
    expect(environmentSourceMap(root, 'environments/y.json').ids.delta).toEqual({ file: 'environments/y.json', line: 4 });
  });
});
