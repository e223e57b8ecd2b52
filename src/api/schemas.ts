/**
 * Every wire shape of the API, declared once as JSON Schema (TypeBox): the server checks requests
 * against them (Fastify, with the ajv of validate.ts), the peer stream checks its frames with the
 * same compiled validators, the OpenAPI document is generated from them, and the TypeScript types
 * of types.ts are derived from them. They check form only; protocol rules (curve points, ids,
 * signatures, nonces, funds) are the core's.
 *
 * Each primitive carries a `description` in words: it is what a schema failure says (validate.ts
 * never shows a pattern) and what the OpenAPI document shows.
 *
 * To add a field to blocks or transactions, add it to `blockFields` or `transactionFields`: the
 * type-level test (test/unit/wire-types.test.ts) then says whether src/core/types.ts agrees.
 */
import { Type, type TSchema } from 'typebox';
import { MAX_EVIDENCE_PER_BLOCK, MAX_MESSAGE_CHARS, MAX_VOTES_PER_BLOCK } from '../core/params.js';
import { MAX_ADDRESS_TXS, MAX_BLOCKS_PER_PAGE, MAX_INBOX_PAGE, MAX_PREFIX_MATCHES, MAX_TX_BATCH } from './limits.js';

/** Exactly `bytes` bytes as lower-case hex: the one rule for every hex field (docs/protocol.md). */
const hexPattern = (bytes: number) => `[0-9a-f]{${bytes * 2}}`;
const hex = (bytes: number, what: string) =>
  Type.String({ pattern: `^${hexPattern(bytes)}$`, description: `${what}: ${bytes * 2} lower-case hex characters` });
/** A hex field that holds a fixed marker instead in the genesis (or, for a receiver, in a stake). */
const hexOr = (bytes: number, marker: string, what: string) =>
  Type.String({
    pattern: `^(?:${hexPattern(bytes)}|${marker})$`,
    description: `${what}: ${bytes * 2} lower-case hex characters, or "${marker}" ${marker === '' ? '(empty) ' : ''}where the protocol says so`,
  });

export const Units = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'a whole number of units (1 BCC = 100)' });
export const Address = hex(33, 'an address (a compressed public key)');
export const Hash = hex(32, 'a hash');
export const Signature = hex(64, 'a signature');
export const TxType = Type.Enum(['coins', 'message', 'stake']);
/**
 * A message's text. The exact rule (1 to MAX_MESSAGE_CHARS code points, no lone surrogate) is the
 * core's (transaction.ts, with fees.ts codePoints), which answers MALFORMED with the count; the
 * schema only bounds the size at twice that. ajv counts code points exactly as codePoints does
 * (test/unit/wire-schemas.test.ts), so the schema never refuses a text the core accepts.
 */
export const MessageText = Type.String({
  maxLength: MAX_MESSAGE_CHARS * 2,
  description: `text (a message has 1 to ${MAX_MESSAGE_CHARS} characters, counted in code points)`,
});

export const transactionFields = {
  sender: hexOr(33, '0', 'the sender address'),
  receiver: hexOr(33, '0', 'the receiver address'),
  type: TxType,
  amount: Units,
  message: MessageText,
  nonce: Units,
  id: Hash,
  signature: hexOr(64, '', 'the signature'),
};
export const Transaction = Type.Object(transactionFields, { additionalProperties: false });

/** A finality vote (protocol version 2); its rules (checkpoint heights, signature) are the core's (vote.ts). */
export const Vote = Type.Object(
  { staker: Address, source_height: Units, source_hash: Hash, target_height: Units, target_hash: Hash, signature: Signature },
  { additionalProperties: false },
);
const ids = (max: number, what: string) => Type.Array(Hash, { maxItems: max, description: what });
/** A block's header as double-block evidence carries it: the hash's fields with bodies replaced by their ids. */
const Round = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'the round of the draw the block is proposed in (the core checks it is below 64)',
});
export const Header = Type.Object(
  {
    index: Units,
    round: Round,
    timestamp: Units,
    validator: Address,
    previous_hash: Hash,
    tx_ids: ids(100_000, "the ids of the block's transactions"),
    reveal: Hash,
    vote_ids: ids(MAX_VOTES_PER_BLOCK, "the ids of the block's votes"),
    evidence_ids: ids(MAX_EVIDENCE_PER_BLOCK, "the ids of the block's evidence"),
    current_hash: Hash,
    signature: Signature,
  },
  { additionalProperties: false },
);
/** Evidence of equivocation: two headers, or two votes, by one key (the core checks that they convict). */
export const Evidence = Type.Union([
  Type.Object({ kind: Type.Literal('double_block'), first: Header, second: Header }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('double_vote'), first: Vote, second: Vote }, { additionalProperties: false }),
]);

export const blockFields = {
  index: Units,
  timestamp: Units,
  transactions: Type.Array(Transaction, { maxItems: 100_000 }),
  validator: hexOr(33, '0', 'the validator address'),
  previous_hash: hexOr(32, '1', 'the previous hash'),
  /** Protocol version 2's fields; the genesis has none of them. */
  round: Type.Optional(Round),
  reveal: Type.Optional(Hash),
  votes: Type.Optional(Type.Array(Vote, { maxItems: MAX_VOTES_PER_BLOCK })),
  evidence: Type.Optional(Type.Array(Evidence, { maxItems: MAX_EVIDENCE_PER_BLOCK })),
  current_hash: Hash,
  signature: hexOr(64, '', 'the signature'),
};
export const Block = Type.Object(blockFields, { additionalProperties: false });

/** A node id as the wallet's `to` accepts it: 3, "3" or "id3", or an address. */
export const Recipient = Type.Union([Type.String({ minLength: 1, maxLength: 66 }), Type.Integer({ minimum: 0 })], {
  description: 'a node id (3, "3", "id3") or an address',
});

export const SubmitRequest = Type.Object(
  {
    type: TxType,
    to: Type.Optional(Recipient),
    amount: Type.Optional(Units),
    message: Type.Optional(MessageText),
  },
  { additionalProperties: false },
);
export const SubmitBatch = Type.Array(SubmitRequest, { minItems: 1, maxItems: MAX_TX_BATCH });
export const SubmitResponse = Type.Object({ id: Hash, nonce: Units });
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  code: Type.String({ description: 'stable, for programs' }),
  message: Type.String({ description: 'a reason in words' }),
});
export const SubmitBatchItem = Type.Union([SubmitResponse, Type.Object({ error: Type.Omit(ErrorBody, ['error']) })]);

/** Query numbers arrive as text and are not coerced: digits only (the range is the route's; see pageLimit). */
const digits = (what: string) => Type.String({ pattern: '^[0-9]{1,15}$', description: `${what}: digits` });
/** Where a page of transactions going back in the chain starts (src/node/chain/cursor.ts). */
const cursor = Type.String({
  pattern: '^[0-9]{1,15}(?:\\.[0-9]{1,6})?$',
  description: 'a cursor: B (only blocks below index B) or B.P (only what precedes position P of block B, and blocks below B)',
});
/** A transaction's place in its block, to page on from it. */
const position = Type.Integer({
  description: "its place in its block's transactions (0 first); a page's next cursor is block.position of its last item",
});
export const BlocksQuery = Type.Object(
  {
    from: Type.Optional(digits('the first index')),
    limit: Type.Optional(digits(`at most this many blocks, 1 to ${MAX_BLOCKS_PER_PAGE}`)),
  },
  { additionalProperties: false },
);
export const InboxQuery = Type.Object(
  { limit: Type.Optional(digits(`at most this many messages, 1 to ${MAX_INBOX_PAGE}`)), before: Type.Optional(cursor) },
  { additionalProperties: false },
);
export const TxIdParams = Type.Object({ id: Hash });
export const BlockParams = Type.Object({
  indexOrHash: Type.String({ pattern: `^(?:[0-9]{1,15}|${hexPattern(32)})$`, description: 'a block index (digits) or hash' }),
});
export const AccountParams = Type.Object({
  idOrAddress: Type.String({ pattern: `^(?:[0-9]{1,9}|${hexPattern(33)})$`, description: 'a node id (digits) or an address' }),
});

// ---- any address's routes, and transactions signed by wallets that are no node's ----

/** An address in a path; the param is named as GET /accounts/:idOrAddress's, whose path it extends. */
export const AddressParams = Type.Object({ idOrAddress: Address });
export const AddressTxQuery = Type.Object(
  {
    limit: Type.Optional(digits(`at most this many transactions, 1 to ${MAX_ADDRESS_TXS}`)),
    before: Type.Optional(cursor),
    type: Type.Optional(TxType),
    direction: Type.Optional(Type.Enum(['in', 'out'], { description: 'received (in) or sent (out)' })),
    with: Type.Optional(Address),
  },
  { additionalProperties: false },
);
/** GET /peer/pool: everyone's oldest pending transactions, or one sender's. */
export const PoolQuery = Type.Object(
  {
    sender: Type.Optional(hex(33, "only this address's pending transactions (its unbroken run of nonces from its committed one)")),
  },
  { additionalProperties: false },
);
export const TxPrefixQuery = Type.Object(
  {
    prefix: Type.String({ pattern: '^[0-9a-f]{4,64}$', description: 'the start of a transaction id: 4 to 64 lower-case hex characters' }),
    limit: Type.Optional(digits(`at most this many transactions, 1 to ${MAX_PREFIX_MATCHES}`)),
  },
  { additionalProperties: false },
);
/** One committed transaction of an address, where it is. */
export const AddressTxView = Type.Object({
  ...transactionFields,
  block: Type.Integer({ description: 'index of the block that holds it' }),
  position,
  timestamp: Type.Integer({ description: "that block's timestamp (ms)" }),
  sender_id: Type.Union([Type.Integer(), Type.Null()], { description: 'node id of the sender, null for an address that is no node' }),
  receiver_id: Type.Union([Type.Integer(), Type.Null()], { description: 'node id of the receiver, null for an address that is no node' }),
});
/** What a wallet that signs for itself needs before it signs. */
export const NonceView = Type.Object({
  address: Type.String(),
  nonce: Type.Integer({ description: 'the committed nonce: the next one a block can take' }),
  next_nonce: Type.Integer({ description: "the nonce a new transaction takes: after the address's pending ones in this node's pool" }),
  pending: Type.Integer({ description: "pending transactions of the address in this node's pool" }),
});
/** POST /transactions answer (202): the transaction is pending. */
export const AcceptedView = Type.Object({ id: Hash, status: Type.Literal('pending') });

export const PeerTransactions = Type.Array(Transaction, { maxItems: MAX_TX_BATCH });
export const PeerBlock = Block;
/** Votes and evidence gossiped between nodes (POST /peer/votes, the peer stream's `V` frames). */
export const PeerVotes = Type.Object(
  {
    votes: Type.Array(Vote, { maxItems: MAX_VOTES_PER_BLOCK }),
    evidence: Type.Array(Evidence, { maxItems: MAX_EVIDENCE_PER_BLOCK }),
  },
  { additionalProperties: false },
);

const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Host = Type.String({ minLength: 1, maxLength: 255, description: 'a host name or IP address' });
const NetworkSize = Type.Integer({ minimum: 1, maximum: 10_000 });
const Capacity = Type.Integer({ minimum: 1, maximum: 100_000 });
const NodeId = Type.Integer({ minimum: 0 });

/** A node's request to join, signed by its wallet. */
export const PeerJoin = Type.Object(
  {
    address: Address,
    host: Host,
    port: Port,
    n: NetworkSize,
    capacity: Capacity,
    stake: Units,
    verifier_fingerprint: Type.Optional(Hash),
    domain: Hash,
    nonce: Hash,
    answer_nonce: Hash,
    signature: Signature,
  },
  { additionalProperties: false },
);
/** A member's announcement after a restart, signed by its wallet, with a challenge of the receiver. */
export const PeerHello = Type.Object(
  { id: NodeId, address: Address, host: Host, port: Port, verifier_fingerprint: Type.Optional(Hash), nonce: Hash, signature: Signature },
  { additionalProperties: false },
);
/** A node's challenge (GET /peer/challenge). */
export const PeerChallenge = Type.Object({ domain: Hash, address: Address, nonce: Hash, ttl_ms: Type.Integer() });
/** A member's proof of its key (POST /peer/auth). */
export const PeerAuth = Type.Object(
  { address: Address, nonce: Hash, signature: Signature, challenge: Hash },
  { additionalProperties: false },
);
/** A session credential and the node's counter-signature of the member's challenge. */
export const PeerSession = Type.Object({ session: Hash, ttl_ms: Type.Integer(), signature: Signature });
/** The bootstrap's signed announcement of the node list and the chain so far. */
export const PeerNetwork = Type.Object(
  {
    n: NetworkSize,
    capacity: Capacity,
    nodes: Type.Array(
      Type.Object({ id: NodeId, address: Address, host: Host, port: Port, stake: Units }, { additionalProperties: false }),
      { maxItems: 10_000 },
    ),
    chain: Type.Array(Block, { minItems: 1 }),
    to: Address,
    answer_nonce: Hash,
    signature: Signature,
  },
  { additionalProperties: false },
);
export const PeerTransactionsResult = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), message: Type.String() })),
});
export const PeerBlockResult = Type.Object({ result: Type.Enum(['committed', 'kept', 'queued', 'known']) });

// ---- answers of the read-only routes ----

export const StatusView = Type.Object({
  id: Type.Integer({ description: "this node's id; -1 before it has joined" }),
  address: Type.String(),
  n: Type.Integer(),
  capacity: Type.Integer(),
  height: Type.Integer({ description: 'index of the last block' }),
  ready: Type.Boolean({ description: 'every node has its coins and stake committed' }),
  last_hash: Type.String({ description: 'hash of the last block' }),
  next_validator: Type.String({ description: 'the address the lottery names for the next block' }),
  final_height: Type.Integer({ description: 'the finalised checkpoint of the best branch: no block at or below it is ever reverted' }),
  final_hash: Type.String({ description: 'the hash of that checkpoint' }),
  justified_height: Type.Integer({
    description: 'the latest justified checkpoint of the best branch: fork choice prefers the branch whose is higher, whatever its length',
  }),
  justified_hash: Type.String({ description: 'the hash of that checkpoint' }),
  pool: Type.Integer({ description: "pending transactions in this node's pool" }),
  verifier: Type.String({ description: 'which signature verifier the node uses' }),
  verifier_fingerprint: Type.String({ description: "of the verifier's answers to fixed checks (src/crypto/vectors.ts)" }),
  joined: Type.Integer({ description: 'nodes known to this node (on the bootstrap while forming: how many have joined)' }),
  version: Type.String({ description: "the node's software version" }),
});
export const AccountView = Type.Object({
  id: Type.Union([Type.Integer(), Type.Null()], { description: 'node id, or null for an address that is no node' }),
  address: Type.String(),
  balance: Units,
  stake: Units,
  nonce: Units,
  slashed: Type.Optional(Type.Boolean({ description: 'its stake was burned for equivocation; it may not stake again' })),
});
export const PeerView = Type.Object({ id: Type.Integer(), address: Type.String(), host: Type.String(), port: Type.Integer() });
export const InboxEntry = Type.Object({
  id: Type.String(),
  from: Type.String(),
  from_id: Type.Union([Type.Integer(), Type.Null()]),
  message: Type.String(),
  block: Type.Integer(),
  position,
  timestamp: Type.Integer(),
});
export const TxStatus = Type.Enum(['pending', 'committed', 'final', 'dropped']);
export const TxStatusView = Type.Object({
  id: Type.String(),
  status: TxStatus,
  block: Type.Optional(Type.Integer({ description: 'index of the block that holds it, when committed or final' })),
  reason: Type.Optional(Type.String({ description: "why it left the pool, for this node's own transactions" })),
});

// ---- GET /events ----

export const BlockEvent = Type.Object({
  index: Type.Integer(),
  hash: Type.String(),
  validator: Type.String(),
  validator_id: Type.Union([Type.Integer(), Type.Null()]),
  transactions: Type.Integer(),
  timestamp: Type.Integer(),
  tx_ids: Type.Array(Type.String(), { description: "ids of the block's transactions, in order" }),
});
export const FinalEvent = Type.Object({
  height: Type.Integer({ description: 'the finalised checkpoint rose: every block up to this index is final' }),
  hash: Type.String(),
});
export const ReorgEvent = Type.Object({
  fork_index: Type.Integer({ description: 'the last block both branches share' }),
  reverted: Type.Array(Type.String(), { description: 'hashes of the blocks left, newest first' }),
  returned_tx_ids: Type.Array(Type.String(), { description: 'transactions of those blocks that the new branch does not hold' }),
});

// ---- GET /healthz, GET /readyz ----

export const LiveView = Type.Object({ live: Type.Boolean() });
export const ReadyView = Type.Object({
  ready: Type.Boolean({ description: 'formed and caught up' }),
  formed: Type.Boolean({ description: 'the network is formed, funded and staked' }),
  caught_up: Type.Boolean({ description: 'the last catch-up check found no peer ahead' }),
  height: Type.Integer(),
});

/** A text answer (the metrics, the explorer, the event stream), for the OpenAPI document. */
export const Text = (description: string): TSchema => Type.String({ description });
