/**
 * Errors of the node's own (non-protocol) rules. Protocol errors are in src/core/errors.ts; the
 * HTTP status of both is in one table, src/node/http/errors.ts.
 */
import { ProtocolError } from '../core/errors.js';

export type NodeErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  /** A peer message names a challenge nonce that is not outstanding: a replay. */
  | 'STALE_CHALLENGE'
  | 'NOT_FORMED'
  | 'UNKNOWN_RECIPIENT'
  | 'NETWORK_FULL'
  | 'PARAMS_MISMATCH'
  | 'UNKNOWN_NODE'
  | 'CONFLICT'
  | 'FUTURE_BLOCK'
  | 'VERIFIER_MISMATCH'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  /** A bounded resource (the event streams) is full: try again later. */
  | 'BUSY'
  /** A restarted node's wallet does not sign until it knows what it sent before (Readiness.walletHeld). */
  | 'RESUMING'
  /** The wallet's journal cannot be written (a full or failing disk): the wallet signs nothing it could lose. */
  | 'JOURNAL_FAILED'
  | 'RATE_LIMITED';

export class NodeError extends Error {
  override readonly name = 'NodeError';
  constructor(
    readonly code: NodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `err` is a refusal (a rule said no), as opposed to a failure of the node itself. */
export function isRefusal(err: unknown): err is ProtocolError | NodeError {
  return err instanceof ProtocolError || err instanceof NodeError;
}
