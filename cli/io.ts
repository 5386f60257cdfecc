/** What a command handler needs from its surroundings; tests pass their own. */
export interface CommandIO {
  /** The project root: environments/, out/, approvals/ live under it. */
  readonly root: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** `--json`: print machine-readable output. */
  readonly json: boolean;
  readonly now: () => Date;
}
