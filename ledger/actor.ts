import { hostname, userInfo } from 'node:os';

/** Who is acting, for the ledger and the deploy lock: NDC_ACTOR, the CI job's user, or user@host. */
export function actorOf(environment: NodeJS.ProcessEnv = process.env): string {
  if (environment.NDC_ACTOR) return environment.NDC_ACTOR;
  if (environment.GITHUB_ACTIONS === 'true' && environment.GITHUB_ACTOR) return `ci:github:${environment.GITHUB_ACTOR}`;
  if (environment.GITLAB_CI === 'true' && environment.GITLAB_USER_LOGIN) return `ci:gitlab:${environment.GITLAB_USER_LOGIN}`;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return `${user}@${hostname()}`;
}
