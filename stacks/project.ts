import { loadEnvironment, type LoadedEnvironment } from '../environments/load';
import { verifyArtifacts, type Manifest } from './manifest';

/**
 * The project files one command reads: each environment is loaded and validated once, and each
 * manifest's artifacts are hashed once, however many steps (deploy, gate, policy) ask for them.
 */
export interface ProjectReader {
  readonly root: string;
  loadEnvironment(env: string): LoadedEnvironment;
  /** The artifacts of `manifest` that are missing or differ from it on disk (empty when all match). */
  verifyArtifacts(manifest: Manifest): string[];
}

/** A reader that remembers what it read; make one per command so a later command sees fresh files. */
export function projectReader(root: string): ProjectReader {
  const environments = new Map<string, LoadedEnvironment>();
  const verified = new Map<string, string[]>();
  return {
    root,
    loadEnvironment(env) {
      let loaded = environments.get(env);
      if (!loaded) {
        loaded = loadEnvironment(root, env);
        environments.set(env, loaded);
      }
      return loaded;
    },
    verifyArtifacts(manifest) {
      const key = `${manifest.env}\u0000${manifest.digest}`;
      let changed = verified.get(key);
      if (!changed) {
        changed = verifyArtifacts(root, manifest);
        verified.set(key, changed);
      }
      return [...changed];
    },
  };
}
