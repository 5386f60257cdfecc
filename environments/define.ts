import type { EnvironmentInput } from './schema';

/**
 * Typed identity: gives environment files completion and type errors; validation happens on load
 * (./schema.ts). Kept apart from the schema, which an environment file needs only as types: a file that
 * imports defineEnvironment from here is bundled without zod and the schema, so its evaluation (a child
 * process per load: ./isolated.ts) does not load and build them, about 50 ms of each cold command.
 */
export function defineEnvironment(environment: EnvironmentInput): EnvironmentInput {
  return environment;
}
