/**
 * Errors of the node's own (non-protocol) rules, with the HTTP status they answer with. Protocol
 * errors (src/core/errors.ts) map to 400/422 in one place: src/node/server.ts.
 */
export type NodeErrorCode =
  | 'UNAUTHORIZED'
  | 'NOT_FORMED'
  | 'UNKNOWN_RECIPIENT'
  | 'NETWORK_FULL'
  | 'PARAMS_MISMATCH'
  | 'UNKNOWN_NODE'
  | 'CONFLICT'
  | 'FUTURE_BLOCK'
  | 'VERIFIER_MISMATCH'
  | 'NOT_FOUND';

const STATUS: Record<NodeErrorCode, number> = {
  UNAUTHORIZED: 401,
  NOT_FORMED: 503,
  UNKNOWN_RECIPIENT: 422,
  NETWORK_FULL: 409,
  PARAMS_MISMATCH: 409,
  UNKNOWN_NODE: 403,
  CONFLICT: 409,
  FUTURE_BLOCK: 422,
  VERIFIER_MISMATCH: 409,
  NOT_FOUND: 404,
};

export class NodeError extends Error {
  override readonly name = 'NodeError';
  readonly statusCode: number;
  constructor(
    readonly code: NodeErrorCode,
    message: string,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}
