/**
 * Members only (docs/protocol.md, "Members only: peer sessions"): the challenges this node hands
 * out, single-use and short-lived, in a bounded table, and the session credentials it issues to
 * members that signed one. The encodings and signatures are the core's (src/core/peer-auth.ts);
 * the clock and the randomness are given.
 */
import {
  CHALLENGE_TTL_MS,
  MAX_CHALLENGES,
  MAX_SESSIONS_PER_MEMBER,
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

export class PeerGate {
  /** Outstanding challenges: nonce → when it expires. In order of issue (a Map keeps it). */
  private readonly challenges = new Map<string, number>();
  /** Sessions: credential → member and expiry. */
  private readonly sessions = new Map<string, { address: string; expires: number }>();
  /** Each member's sessions, oldest first. */
  private readonly byMember = new Map<string, string[]>();

  constructor(private readonly parts: GateParts) {}

  /** A fresh challenge; BUSY when MAX_CHALLENGES are outstanding, NOT_FORMED without a genesis. */
  challenge(): { domain: string; address: string; nonce: string; ttl_ms: number } {
    const domain = this.parts.domain();
    if (domain === undefined) throw new NodeError('NOT_FORMED', 'this node has no genesis yet');
    const now = this.parts.now();
    if (this.challenges.size >= MAX_CHALLENGES) {
      for (const [nonce, expires] of this.challenges) {
        if (expires > now) break; // issued in order: the rest expire later
        this.challenges.delete(nonce);
      }
      if (this.challenges.size >= MAX_CHALLENGES)
        throw new NodeError('BUSY', `${MAX_CHALLENGES} challenges are outstanding; try again later`);
    }
    const nonce = this.parts.random(32);
    this.challenges.set(nonce, now + CHALLENGE_TTL_MS);
    return { domain, address: this.parts.address, nonce, ttl_ms: CHALLENGE_TTL_MS };
  }

  /** True while `nonce` is an outstanding challenge (not spent, not expired). */
  outstanding(nonce: string | undefined): boolean {
    const expires = nonce === undefined ? undefined : this.challenges.get(nonce);
    return expires !== undefined && expires > this.parts.now();
  }

  /** Spends a challenge: STALE_CHALLENGE unless it was outstanding. */
  spend(nonce: string): void {
    const live = this.outstanding(nonce);
    this.challenges.delete(nonce);
    if (!live) throw new NodeError('STALE_CHALLENGE', 'the challenge was not issued by this node, was already used or expired');
  }

  /** POST /peer/auth: spends the challenge, checks the signature and membership, issues a session. */
  authenticate(req: AuthRequest): { session: string; ttl_ms: number; signature: string } {
    this.spend(req.nonce);
    const domain = this.parts.domain()!; // a challenge was issued: there is a genesis
    const { address, secretKey } = this.parts;
    if (!verifyPeerAuth(domain, address, req.nonce, req.address, req.signature)) {
      throw new NodeError('UNAUTHORIZED', 'the authentication is not signed by its address for this node, network and challenge');
    }
    if (!this.parts.isMember(req.address)) throw new NodeError('UNKNOWN_NODE', 'this address is not a member of the network');
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
