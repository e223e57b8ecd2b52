/**
 * JSON schemas of request bodies and queries, checked by Fastify before a handler runs. They check
 * form only; protocol rules (curve points, ids, signatures, nonces, funds) are the core's.
 */
import { MAX_EVIDENCE_PER_BLOCK, MAX_MESSAGE_CHARS, MAX_VOTES_PER_BLOCK } from '../core/params.js';
import { MAX_TX_BATCH } from './routes.js';

const hex = (bytes: number) => ({ type: 'string', pattern: `^[0-9a-f]{${bytes * 2}}$` }) as const;
const units = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const address = hex(33);
const hash = hex(32);
const signature = hex(64);

export const transactionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sender', 'receiver', 'type', 'amount', 'message', 'nonce', 'id', 'signature'],
  properties: {
    sender: { type: 'string', maxLength: 66 },
    receiver: { type: 'string', maxLength: 66 },
    type: { enum: ['coins', 'message', 'stake'] },
    amount: units,
    // code points ≤ 1024 means at most 2048 UTF-16 units; the core counts code points exactly
    message: { type: 'string', maxLength: MAX_MESSAGE_CHARS * 2 },
    nonce: units,
    id: { type: 'string', maxLength: 64 },
    signature: { type: 'string', maxLength: 128 },
  },
} as const;

/** A finality vote (protocol version 2); its form and signature are the core's (checkVoteShape, verifyVote). */
export const voteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['staker', 'source_height', 'source_hash', 'target_height', 'target_hash', 'signature'],
  properties: {
    staker: { type: 'string', maxLength: 66 },
    source_height: units,
    source_hash: { type: 'string', maxLength: 64 },
    target_height: units,
    target_hash: { type: 'string', maxLength: 64 },
    signature: { type: 'string', maxLength: 128 },
  },
} as const;

const idList = (max: number) => ({ type: 'array', maxItems: max, items: { type: 'string', maxLength: 64 } }) as const;

/** A block header as double-block evidence carries it. */
const headerSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'index',
    'timestamp',
    'validator',
    'previous_hash',
    'tx_ids',
    'reveal',
    'vote_ids',
    'evidence_ids',
    'current_hash',
    'signature',
  ],
  properties: {
    index: units,
    timestamp: units,
    validator: { type: 'string', maxLength: 66 },
    previous_hash: { type: 'string', maxLength: 64 },
    tx_ids: idList(100_000),
    reveal: { type: 'string', maxLength: 64 },
    vote_ids: idList(MAX_VOTES_PER_BLOCK),
    evidence_ids: idList(MAX_EVIDENCE_PER_BLOCK),
    current_hash: { type: 'string', maxLength: 64 },
    signature: { type: 'string', maxLength: 128 },
  },
} as const;

/** Evidence of equivocation: two headers, or two votes (the core checks which and that they convict). */
export const evidenceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'first', 'second'],
  properties: {
    kind: { enum: ['double_block', 'double_vote'] },
    first: { anyOf: [headerSchema, voteSchema] },
    second: { anyOf: [headerSchema, voteSchema] },
  },
} as const;

/** A block; `reveal`, `votes` and `evidence` are protocol version 2's (absent from the genesis). */
export const blockSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'timestamp', 'transactions', 'validator', 'previous_hash', 'current_hash', 'signature'],
  properties: {
    index: units,
    timestamp: units,
    transactions: { type: 'array', maxItems: 100_000, items: transactionSchema },
    validator: { type: 'string', maxLength: 66 },
    previous_hash: { type: 'string', maxLength: 64 },
    reveal: { type: 'string', maxLength: 64 },
    votes: { type: 'array', maxItems: MAX_VOTES_PER_BLOCK, items: voteSchema },
    evidence: { type: 'array', maxItems: MAX_EVIDENCE_PER_BLOCK, items: evidenceSchema },
    current_hash: { type: 'string', maxLength: 64 },
    signature: { type: 'string', maxLength: 128 },
  },
} as const;

/** Votes and evidence gossiped between nodes (POST /peer/votes, the peer stream's `V` frames). */
export const peerVotesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['votes', 'evidence'],
  properties: {
    votes: { type: 'array', maxItems: MAX_VOTES_PER_BLOCK, items: voteSchema },
    evidence: { type: 'array', maxItems: MAX_EVIDENCE_PER_BLOCK, items: evidenceSchema },
  },
} as const;

export const submitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['coins', 'message', 'stake'] },
    to: {
      anyOf: [
        { type: 'string', maxLength: 66 },
        { type: 'integer', minimum: 0 },
      ],
    },
    amount: units,
    message: { type: 'string', maxLength: MAX_MESSAGE_CHARS * 2 },
  },
} as const;

/** Query strings arrive as text (the server does not coerce types): digits only. */
const digits = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;

/** Several wallet requests at once: each is signed and pooled in order, each answered on its own. */
export const submitBatchSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_TX_BATCH,
  items: submitSchema,
} as const;

export const blocksQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { from: digits, limit: digits },
} as const;

export const inboxQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: digits },
} as const;

export const txIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: hash },
} as const;

export const peerTransactionsSchema = {
  type: 'array',
  maxItems: MAX_TX_BATCH,
  items: transactionSchema,
} as const;

export const peerBlockSchema = blockSchema;

const peerInfo = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'host', 'port'],
  properties: {
    address,
    host: { type: 'string', minLength: 1, maxLength: 255 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
  },
} as const;

/** A node's request to join, or its announcement after a restart, signed by its wallet. */
export const peerJoinSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'host', 'port', 'n', 'capacity', 'stake', 'signature'],
  properties: {
    ...peerInfo.properties,
    n: { type: 'integer', minimum: 1, maximum: 10_000 },
    capacity: { type: 'integer', minimum: 1, maximum: 100_000 },
    stake: units,
    verifier_fingerprint: hash,
    signature,
  },
} as const;

export const peerHelloSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'address', 'host', 'port', 'signature'],
  properties: { id: { type: 'integer', minimum: 0 }, ...peerInfo.properties, verifier_fingerprint: hash, signature },
} as const;

/** The bootstrap's signed announcement of the node list and the chain so far. */
export const peerNetworkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['n', 'capacity', 'nodes', 'chain', 'signature'],
  properties: {
    n: { type: 'integer', minimum: 1, maximum: 10_000 },
    capacity: { type: 'integer', minimum: 1, maximum: 100_000 },
    nodes: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'address', 'host', 'port', 'stake'],
        properties: { id: { type: 'integer', minimum: 0 }, ...peerInfo.properties, stake: units },
      },
    },
    chain: { type: 'array', minItems: 1, items: blockSchema },
    signature,
  },
} as const;

export { address as addressSchema, hash as hashSchema };
