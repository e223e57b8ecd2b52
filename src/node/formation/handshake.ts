/**
 * The signed messages that form and re-form a network (SPEC A, "Joining"; SPEC B, "Security"):
 * a node's join request and its post-restart hello, signed by its wallet, and the bootstrap's
 * announcement of the node list and chain, signed by the bootstrap. Each is a domain-separated
 * canonical encoding, hashed and signed like a transaction.
 */
import { canon } from '../../core/encoding.js';
import { sha256Hex, signHash, verifyHash } from '../../core/crypto.js';
import { ensure } from '../../core/errors.js';
import type { Block } from '../../core/types.js';

export interface NodeEntry {
  id: number;
  address: string;
  host: string;
  port: number;
  /** Configured initial stake, in units. */
  stake: number;
}

export interface JoinRequest {
  address: string;
  host: string;
  port: number;
  n: number;
  capacity: number;
  stake: number;
  /** The joining node's verifier fingerprint (src/crypto/vectors.ts); the bootstrap refuses a different one. */
  verifier_fingerprint?: string;
  signature: string;
}

export interface Hello {
  id: number;
  address: string;
  host: string;
  port: number;
  /** The restarted node's verifier fingerprint; a peer with a different one says so loudly. */
  verifier_fingerprint?: string;
  signature: string;
}

export interface NetworkAnnouncement {
  n: number;
  capacity: number;
  nodes: NodeEntry[];
  chain: Block[];
  signature: string;
}

function joinHash(r: Omit<JoinRequest, 'signature'>): string {
  return sha256Hex(canon(['blockchat/join', r.address, r.host, r.port, r.n, r.capacity, r.stake, r.verifier_fingerprint ?? '']));
}

function helloHash(h: Omit<Hello, 'signature'>): string {
  return sha256Hex(canon(['blockchat/hello', h.id, h.address, h.host, h.port, h.verifier_fingerprint ?? '']));
}

/** The announcement commits to the node list and, through the last block's hash, the chain. */
function networkHash(a: Omit<NetworkAnnouncement, 'signature'>): string {
  const nodes = a.nodes.map((x) => [x.id, x.address, x.host, x.port, x.stake]);
  const last = a.chain[a.chain.length - 1]?.current_hash ?? '';
  return sha256Hex(canon(['blockchat/network', a.n, a.capacity, nodes, a.chain.length, last]));
}

export function signJoin(r: Omit<JoinRequest, 'signature'>, secretKey: string): JoinRequest {
  return { ...r, signature: signHash(joinHash(r), secretKey) };
}

export function verifyJoin(r: JoinRequest): void {
  ensure(verifyHash(joinHash(r), r.signature, r.address), 'BAD_SIGNATURE', 'the join request is not signed by its address');
}

export function signHello(h: Omit<Hello, 'signature'>, secretKey: string): Hello {
  return { ...h, signature: signHash(helloHash(h), secretKey) };
}

export function verifyHello(h: Hello): void {
  ensure(verifyHash(helloHash(h), h.signature, h.address), 'BAD_SIGNATURE', 'the hello is not signed by its address');
}

export function signNetwork(a: Omit<NetworkAnnouncement, 'signature'>, secretKey: string): NetworkAnnouncement {
  return { ...a, signature: signHash(networkHash(a), secretKey) };
}

/** Checks that the bootstrap (`bootstrap` address) signed this announcement. */
export function verifyNetwork(a: NetworkAnnouncement, bootstrap: string): void {
  ensure(verifyHash(networkHash(a), a.signature, bootstrap), 'BAD_SIGNATURE', 'the node list and chain are not signed by the bootstrap');
}
