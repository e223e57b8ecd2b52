/** The CLI's own failures: a line the user can act on, and a code for `--json` and for tests. */

/** Codes of failures found by the CLI itself; a node's refusals keep the node's code. */
export type CliErrorCode = 'USAGE' | 'NO_TOKEN' | 'NOT_FOUND' | 'AMBIGUOUS' | 'INSUFFICIENT_FUNDS';

/** A failure the user can act on; its message is the whole line after "error: ". */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly code: CliErrorCode = 'USAGE',
  ) {
    super(message);
  }
}
