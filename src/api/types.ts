/** The shapes of the REST API (SPEC part C). Units are integers of 1/100 BCC. */
import type { Block, Transaction, TxType } from '../core/types.js';

export type { Block, Transaction, TxType };

export interface StatusView {
  id: number;
  address: string;
  n: number;
  capacity: number;
  height: number;
  ready: boolean;
  /** Hash of the last block. */
  last_hash: string;
  /** Address of the validator the lottery names for the next block. */
  next_validator: string;
  /** Pending transactions in this node's pool. */
  pool: number;
  /** Which signature verifier the node uses. */
  verifier: string;
  /**
   * Fingerprint of its answers to fixed checks of hashing, signing and verification
   * (src/crypto/vectors.ts): the same on every node whose verifier answers as noble does.
   */
  verifier_fingerprint: string;
  /** Nodes known to this node (on the bootstrap while forming: how many have joined). */
  joined: number;
  /** The node's software version (package.json). */
  version: string;
}

export interface AccountView {
  /** Node id, or null for an address that is no node's. */
  id: number | null;
  address: string;
  balance: number;
  stake: number;
  nonce: number;
}

export interface PeerView {
  id: number;
  address: string;
  host: string;
  port: number;
}

/** POST /wallet/transactions body. `to` is a node id (3, "3", "id3") or an address. */
export interface SubmitRequest {
  type: TxType;
  to?: string | number;
  /** Units; for `stake` the new total stake. */
  amount?: number;
  message?: string;
}

export interface SubmitResponse {
  id: string;
  nonce: number;
}

/** One item of a POST /wallet/transactions/batch answer: the transaction, or why it was refused. */
export type SubmitBatchItem = SubmitResponse | { error: { statusCode: number; code: string; message: string } };

export interface InboxEntry {
  id: string;
  from: string;
  from_id: number | null;
  message: string;
  block: number;
  timestamp: number;
}

export type TxStatus = 'pending' | 'committed' | 'dropped' | 'unknown';

export interface TxStatusView {
  id: string;
  status: TxStatus;
  /** Index of the block that holds it, when committed. */
  block?: number;
  /** Why it was dropped from the pool, for this node's own transactions. */
  reason?: string;
}

/** Every error answer: a machine code and a reason a user can act on. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
}

/** `event: reorg`: the best branch switched to a rival (fork choice, after a validator failover). */
export interface ReorgEvent {
  /** The last block both branches share; `event: block` follows for each block of the new branch. */
  fork_index: number;
  /** Hashes of the blocks left, newest first. */
  reverted: string[];
  /** Transactions of those blocks that the new branch does not hold: pending again. */
  returned_tx_ids: string[];
}

/** Server-sent event on GET /events after every committed block. */
export interface BlockEvent {
  index: number;
  hash: string;
  validator: string;
  validator_id: number | null;
  transactions: number;
  timestamp: number;
  /** Ids of the block's transactions, in order (the tester matches its submissions by them). */
  tx_ids: string[];
}

/** One committed transaction of an address (GET /accounts/:address/transactions), where it is. */
export interface AddressTxView extends Transaction {
  /** Index of the block that holds it. */
  block: number;
  /** That block's timestamp (ms). */
  timestamp: number;
  /** Node ids of the two parties, null for an address that is no node's. */
  sender_id: number | null;
  receiver_id: number | null;
}

/** GET /accounts/:address/nonce: what a wallet that signs for itself needs before it signs. */
export interface NonceView {
  address: string;
  /** The committed nonce: the next one a block can take. */
  nonce: number;
  /** The nonce a new transaction takes: after the address's pending transactions in this node's pool. */
  next_nonce: number;
  /** Pending transactions of the address in this node's pool, from its committed nonce on. */
  pending: number;
}

/** POST /transactions answer (202): the transaction is pending. */
export interface AcceptedView {
  id: string;
  status: 'pending';
}
