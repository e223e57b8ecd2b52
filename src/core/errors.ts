/**
 * Coded protocol errors. Callers (and tests) branch on `code`; `message` is the reason a
 * user can act on.
 */
export type ErrorCode =
  // transactions
  | 'MALFORMED'
  | 'BAD_ID'
  | 'BAD_SIGNATURE'
  | 'SELF_TRANSFER'
  | 'NONCE_USED'
  | 'NONCE_AHEAD'
  | 'INSUFFICIENT_FUNDS'
  | 'DUPLICATE'
  | 'POOL_FULL'
  // blocks and chains
  | 'BAD_INDEX'
  | 'BAD_PREVIOUS_HASH'
  | 'BAD_HASH'
  | 'WRONG_VALIDATOR'
  | 'TOO_EARLY'
  | 'BAD_BLOCK_SIZE'
  | 'BAD_GENESIS'
  | 'INVALID_TRANSACTION'
  // finality, accountability and the seed (protocol version 2)
  | 'BAD_VOTE'
  | 'BAD_EVIDENCE'
  | 'BAD_REVEAL'
  | 'BAD_ROUND'
  | 'SLASHED'
  | 'FUTURE_BLOCK';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For INVALID_TRANSACTION: the code of the transaction's own failure. */
    readonly cause_code?: ErrorCode,
  ) {
    super(message);
  }
}

/** Throws a coded error unless `cond` holds; the one check helper of the core. */
export function ensure(cond: unknown, code: ErrorCode, message: string | (() => string)): asserts cond {
  // A message that formats values is passed as a function, built only when the check fails: the
  // checks made per transaction and per vote would otherwise build it every time.
  if (!cond) throw new ProtocolError(code, typeof message === 'string' ? message : message());
}
