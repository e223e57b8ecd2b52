/**
 * The signed messages between nodes (docs/protocol.md, "Joining and the handshake"): a member's
 * authentication to a peer and the peer's counter-signature, a node's join request, the
 * bootstrap's announcement of the node list and chain, and a restarted member's hello. Each is a
 * domain-separated canonical encoding, hashed and signed like a transaction, and names the
 * network (`domain`, the genesis hash), both parties and a nonce the receiver issued, so that
 * none can be replayed to another node, another network or later. The nonces and the clock are
 * the caller's.
 */
import { canon } from './encoding.js';
import { sha256Hex, signHash, verifyHash } from './crypto.js';
import { ensure } from './errors.js';
import type { Block } from './types.js';

/** How long a challenge nonce is outstanding (ms). */
export const CHALLENGE_TTL_MS = 10_000;
/**
 * Most spent challenges a node remembers per member at once (each until it would have expired):
 * a node stores nothing for a challenge it hands out, only for one a member signed.
 */
export const MAX_SPENT_PER_MEMBER = 64;
/** How long a session credential is valid (ms). */
export const SESSION_TTL_MS = 600_000;
/** Most sessions a node holds per member (a new one replaces the oldest). */
export const MAX_SESSIONS_PER_MEMBER = 8;
/** The header carrying a session credential on peer requests and the peer stream's upgrade. */
export const SESSION_HEADER = 'x-blockchat-session';
/** The header naming the challenge a `POST /peer/auth` or `POST /peer/join` answers. */
export const CHALLENGE_HEADER = 'x-blockchat-challenge';
/** The header naming the `answer_nonce` a `POST /peer/network` carries. */
export const JOIN_HEADER = 'x-blockchat-join';

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
  /** The bootstrap's domain and challenge nonce, from its GET /peer/challenge. */
  domain: string;
  nonce: string;
  /** The joining node's own nonce: the announcement to it must carry it. */
  answer_nonce: string;
  signature: string;
}

export interface Hello {
  id: number;
  address: string;
  host: string;
  port: number;
  /** The restarted node's verifier fingerprint; a peer with a different one says so loudly. */
  verifier_fingerprint?: string;
  /** A challenge nonce of the receiving peer. */
  nonce: string;
  signature: string;
}

export interface NetworkAnnouncement {
  n: number;
  capacity: number;
  nodes: NodeEntry[];
  chain: Block[];
  /** The recipient's address and the `answer_nonce` of its latest join. */
  to: string;
  answer_nonce: string;
  signature: string;
}

/** What a member signs to prove itself to `challenger` (and what the challenger signs back, parties swapped). */
export function peerAuthHash(domain: string, challenger: string, nonce: string, member: string): string {
  return sha256Hex(canon(['blockchat/peer-auth', domain, challenger, nonce, member]));
}

export function signPeerAuth(domain: string, challenger: string, nonce: string, secretKey: string, member: string): string {
  return signHash(peerAuthHash(domain, challenger, nonce, member), secretKey);
}

export function verifyPeerAuth(domain: string, challenger: string, nonce: string, member: string, signature: string): boolean {
  return verifyHash(peerAuthHash(domain, challenger, nonce, member), signature, member);
}

/** The join request, bound to the bootstrap's domain, its address and its challenge. */
export function joinHash(bootstrap: string, r: Omit<JoinRequest, 'signature'>): string {
  return sha256Hex(
    canon([
      'blockchat/join',
      r.domain,
      bootstrap,
      r.nonce,
      r.address,
      r.host,
      r.port,
      r.n,
      r.capacity,
      r.stake,
      r.verifier_fingerprint ?? '',
      r.answer_nonce,
    ]),
  );
}

/** The hello, bound to the domain, the receiving peer's address and its challenge. */
export function helloHash(domain: string, peer: string, h: Omit<Hello, 'signature'>): string {
  return sha256Hex(canon(['blockchat/hello', domain, peer, h.nonce, h.id, h.address, h.host, h.port, h.verifier_fingerprint ?? '']));
}

/**
 * The announcement commits to its recipient and its join's nonce, the node list and, through the
 * last block's hash, the chain; its domain is the chain's genesis hash.
 */
export function networkHash(a: Omit<NetworkAnnouncement, 'signature'>): string {
  const nodes = a.nodes.map((x) => [x.id, x.address, x.host, x.port, x.stake]);
  const domain = a.chain[0]?.current_hash ?? '';
  const last = a.chain[a.chain.length - 1]?.current_hash ?? '';
  return sha256Hex(canon(['blockchat/network', domain, a.to, a.answer_nonce, a.n, a.capacity, nodes, a.chain.length, last]));
}

export function signJoin(bootstrap: string, r: Omit<JoinRequest, 'signature'>, secretKey: string): JoinRequest {
  return { ...r, signature: signHash(joinHash(bootstrap, r), secretKey) };
}

export function verifyJoin(bootstrap: string, r: JoinRequest): void {
  ensure(verifyHash(joinHash(bootstrap, r), r.signature, r.address), 'BAD_SIGNATURE', 'the join request is not signed by its address');
}

export function signHello(domain: string, peer: string, h: Omit<Hello, 'signature'>, secretKey: string): Hello {
  return { ...h, signature: signHash(helloHash(domain, peer, h), secretKey) };
}

export function verifyHello(domain: string, peer: string, h: Hello): void {
  ensure(verifyHash(helloHash(domain, peer, h), h.signature, h.address), 'BAD_SIGNATURE', 'the hello is not signed by its address');
}

export function signNetwork(a: Omit<NetworkAnnouncement, 'signature'>, secretKey: string): NetworkAnnouncement {
  return { ...a, signature: signHash(networkHash(a), secretKey) };
}

/** Checks that the bootstrap (`bootstrap` address) signed this announcement. */
export function verifyNetwork(a: NetworkAnnouncement, bootstrap: string): void {
  ensure(verifyHash(networkHash(a), a.signature, bootstrap), 'BAD_SIGNATURE', 'the node list and chain are not signed by the bootstrap');
}
