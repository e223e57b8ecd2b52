/**
 * Members only (docs/protocol.md, "Challenges" and "Members only: peer sessions"): the challenges
 * this node hands out and the session credentials it issues to members that signed one.
 *
 * A challenge is stateless, like a SYN cookie: its nonce carries its issue time and a MAC under a
 * key this process drew when it started, so that handing one out stores nothing and an outsider
 * asking in a loop cannot crowd out the members. Single use is enforced for the nonces members
 * signed: each is remembered until it would have expired, at most MAX_SPENT_PER_MEMBER per
 * member. The encodings and signatures are the core's (src/core/peer-auth.ts); the clock and the
 * randomness are given.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  CHALLENGE_TTL_MS,
  MAX_SESSIONS_PER_MEMBER,
  MAX_SPENT_PER_MEMBER,
  SESSION_TTL_MS,
  signPeerAuth,
  verifyPeerAuth,
} from '../../core/peer-auth.js';
import { NodeError } from '../errors.js';

export interface GateParts {
  /** The network's domain (the genesis hash), undefined before this node has a genesis. */
  domain: () => string | undefined;
  address: string;
  secretKey: string;
  /** True when `address` is a member's. */
  isMember: (address: string) => boolean;
  now: () => number;
  /** `bytes` random bytes as lower-case hex. */
  random: (bytes: number) => string;
}

export interface AuthRequest {
  address: string;
  nonce: string;
  signature: string;
  challenge: string;
}

/** A nonce: 8 bytes of issue time, 8 random, 16 of MAC, as 64 lower-case hex characters. */
const NONCE = /^[0-9a-f]{64}$/;
const MAC_BYTES = 16;

export class PeerGate {
  /** The MAC key of this process's challenges: in memory only, so a restart voids them all. */
  private readonly key: Buffer;
  /** Spent nonces → the member that spent it and when the nonce expires. */
  private readonly spent = new Map<string, { member: string; expires: number }>();
  /** How many spent nonces each member has in `spent`. */
  private readonly spentBy = new Map<string, number>();
  /** When `spent` is next swept of expired nonces. */
  private nextSweep = 0;
  /** Sessions: credential → member and expiry. */
  private readonly sessions = new Map<string, { address: string; expires: number }>();
  /** Each member's sessions, oldest first. */
  private readonly byMember = new Map<string, string[]>();

  constructor(private readonly parts: GateParts) {
    this.key = Buffer.from(parts.random(32), 'hex');
  }

  private mac(head: Buffer): Buffer {
    return createHmac('sha256', this.key).update('blockchat/challenge').update(head).digest().subarray(0, MAC_BYTES);
  }

  /** A fresh challenge (nothing is stored for it); NOT_FORMED without a genesis. */
  challenge(): { domain: string; address: string; nonce: string; ttl_ms: number } {
    const domain = this.parts.domain();
    if (domain === undefined) throw new NodeError('NOT_FORMED', 'this node has no genesis yet');
    const head = Buffer.alloc(16);
    head.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.parts.now()))), 0);
    Buffer.from(this.parts.random(8), 'hex').copy(head, 8);
    const nonce = Buffer.concat([head, this.mac(head)]).toString('hex');
    return { domain, address: this.parts.address, nonce, ttl_ms: CHALLENGE_TTL_MS };
  }

  /** When a nonce this process issued expires; undefined for one it did not issue (or malformed). */
  private expiry(nonce: string): number | undefined {
    if (!NONCE.test(nonce)) return undefined;
    const bytes = Buffer.from(nonce, 'hex');
    const head = bytes.subarray(0, 16);
    if (!timingSafeEqual(bytes.subarray(16), this.mac(head))) return undefined;
    return Number(head.readBigUInt64BE(0)) + CHALLENGE_TTL_MS;
  }

  /** True while `nonce` is outstanding: issued by this process, not in the future, not expired, not spent. */
  outstanding(nonce: string | undefined): boolean {
    const expires = nonce === undefined ? undefined : this.expiry(nonce);
    if (expires === undefined) return false;
    const now = this.parts.now();
    return now < expires && now >= expires - CHALLENGE_TTL_MS && !this.spent.has(nonce!);
  }

  /** STALE_CHALLENGE unless `nonce` is outstanding. */
  check(nonce: string): void {
    if (!this.outstanding(nonce)) {
      throw new NodeError('STALE_CHALLENGE', 'the challenge was not issued by this node since it started, was already used or expired');
    }
  }

  /**
   * Spends a challenge that `member` signed, once its request has passed every other check:
   * STALE_CHALLENGE unless it is outstanding, BUSY when the member has MAX_SPENT_PER_MEMBER spent
   * nonces remembered.
   */
  spend(nonce: string, member: string): void {
    this.check(nonce);
    const now = this.parts.now();
    if (now >= this.nextSweep || (this.spentBy.get(member) ?? 0) >= MAX_SPENT_PER_MEMBER) this.sweep(now);
    const count = this.spentBy.get(member) ?? 0;
    if (count >= MAX_SPENT_PER_MEMBER) {
      throw new NodeError(
        'BUSY',
        `this member spent ${MAX_SPENT_PER_MEMBER} challenges in the last ${CHALLENGE_TTL_MS} ms; try again later`,
      );
    }
    this.spent.set(nonce, { member, expires: this.expiry(nonce)! });
    this.spentBy.set(member, count + 1);
  }

  /** Forgets the spent nonces that have expired (they are refused as expired from now on). */
  private sweep(now: number): void {
    for (const [nonce, { member, expires }] of this.spent) {
      if (expires > now) continue;
      this.spent.delete(nonce);
      const left = (this.spentBy.get(member) ?? 1) - 1;
      if (left > 0) this.spentBy.set(member, left);
      else this.spentBy.delete(member);
    }
    this.nextSweep = now + CHALLENGE_TTL_MS;
  }

  /** POST /peer/auth: checks the challenge, the signature and membership, spends the challenge, issues a session. */
  authenticate(req: AuthRequest): { session: string; ttl_ms: number; signature: string } {
    this.check(req.nonce);
    const domain = this.parts.domain()!; // a challenge was issued: there is a genesis
    const { address, secretKey } = this.parts;
    if (!verifyPeerAuth(domain, address, req.nonce, req.address, req.signature)) {
      throw new NodeError('UNAUTHORIZED', 'the authentication is not signed by its address for this node, network and challenge');
    }
    if (!this.parts.isMember(req.address)) throw new NodeError('UNKNOWN_NODE', 'this address is not a member of the network');
    this.spend(req.nonce, req.address);
    const session = this.parts.random(32);
    const now = this.parts.now();
    this.sessions.set(session, { address: req.address, expires: now + SESSION_TTL_MS });
    const mine = (this.byMember.get(req.address) ?? []).filter((s) => (this.sessions.get(s)?.expires ?? 0) > now);
    mine.push(session);
    while (mine.length > MAX_SESSIONS_PER_MEMBER) this.sessions.delete(mine.shift()!);
    for (const s of this.byMember.get(req.address) ?? []) if (!mine.includes(s)) this.sessions.delete(s);
    this.byMember.set(req.address, mine);
    return { session, ttl_ms: SESSION_TTL_MS, signature: signPeerAuth(domain, req.address, req.challenge, secretKey, address) };
  }

  /** The member a session credential names, or undefined when it is unknown, expired or no longer a member's. */
  member(session: string | undefined): string | undefined {
    const entry = session === undefined ? undefined : this.sessions.get(session);
    if (!entry) return undefined;
    if (entry.expires <= this.parts.now() || !this.parts.isMember(entry.address)) {
      this.sessions.delete(session!);
      return undefined;
    }
    return entry.address;
  }
}
