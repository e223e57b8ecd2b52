/**
 * The challenges of the members-only peer routes (docs/protocol.md, "Challenges"): stateless, so
 * that any number handed out leaves room for the members; valid only from the process that issued
 * them, for 10 s; spent once by the member that signed one, and at most MAX_SPENT_PER_MEMBER
 * remembered per member.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHALLENGE_TTL_MS, MAX_SPENT_PER_MEMBER, signPeerAuth } from '../../src/core/peer-auth.js';
import { NodeError } from '../../src/node/errors.js';
import { PeerGate } from '../../src/node/http/peer-auth.js';
import { key } from './fixtures.js';

const DOMAIN = 'ab'.repeat(32);
const NODE = key(0);
const MEMBER = key(1);
const OUTSIDER = key(2);

function gate() {
  const clock = { now: 1_800_000_000_000 };
  const g = new PeerGate({
    domain: () => DOMAIN,
    address: NODE.address,
    secretKey: NODE.secret,
    isMember: (a) => a === MEMBER.address,
    now: () => clock.now,
    random: (bytes) => randomBytes(bytes).toString('hex'),
  });
  return { g, clock };
}

/** A signed POST /peer/auth body of `who` for `nonce`. */
const auth = (who: { secret: string; address: string }, nonce: string) => ({
  address: who.address,
  nonce,
  signature: signPeerAuth(DOMAIN, NODE.address, nonce, who.secret, who.address),
  challenge: 'cd'.repeat(32),
});

/** The code of the NodeError `fn` throws. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NodeError) return err.code;
    throw err;
  }
  throw new Error('expected a NodeError, but nothing was thrown');
}

describe('stateless challenges', () => {
  it('any number handed out leaves a member able to authenticate', () => {
    const { g } = gate();
    for (let i = 0; i < 20_000; i++) g.challenge();
    const { nonce } = g.challenge();
    expect(g.authenticate(auth(MEMBER, nonce)).session).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is outstanding for the TTL, not before its issue time, and never from another process's key", () => {
    const { g, clock } = gate();
    const { nonce } = g.challenge();
    expect(g.outstanding(nonce)).toBe(true);
    expect(gate().g.outstanding(nonce)).toBe(false); // a restarted process draws a new key
    clock.now += CHALLENGE_TTL_MS - 1;
    expect(g.outstanding(nonce)).toBe(true);
    clock.now += 1;
    expect(g.outstanding(nonce)).toBe(false);
    expect(codeOf(() => g.authenticate(auth(MEMBER, nonce)))).toBe('STALE_CHALLENGE');
    clock.now -= CHALLENGE_TTL_MS + 1; // the clock went back: a nonce from the future
    expect(g.outstanding(nonce)).toBe(false);
  });

  it('a forged nonce (any byte changed: the time, the random part, the MAC) is refused', () => {
    const { g } = gate();
    const { nonce } = g.challenge();
    for (const at of [0, 15, 16, 31, 63]) {
      const flipped = nonce.slice(0, at) + (nonce[at] === '0' ? '1' : '0') + nonce.slice(at + 1);
      expect(g.outstanding(flipped)).toBe(false);
    }
    expect(g.outstanding(nonce.toUpperCase())).toBe(false);
    expect(g.outstanding(nonce.slice(2))).toBe(false);
    expect(g.outstanding(undefined)).toBe(false);
  });
});

describe('single use', () => {
  it("a member's authentication spends its nonce; a replay is STALE_CHALLENGE", () => {
    const { g } = gate();
    const { nonce } = g.challenge();
    g.authenticate(auth(MEMBER, nonce));
    expect(g.outstanding(nonce)).toBe(false);
    expect(codeOf(() => g.authenticate(auth(MEMBER, nonce)))).toBe('STALE_CHALLENGE');
  });

  it("a refused request spends nothing (an outsider's signature, a bad signature), and is refused again", () => {
    const { g } = gate();
    const { nonce } = g.challenge();
    expect(codeOf(() => g.authenticate(auth(OUTSIDER, nonce)))).toBe('UNKNOWN_NODE');
    expect(codeOf(() => g.authenticate({ ...auth(MEMBER, nonce), signature: auth(OUTSIDER, nonce).signature }))).toBe('UNAUTHORIZED');
    expect(g.outstanding(nonce)).toBe(true);
    expect(codeOf(() => g.authenticate(auth(OUTSIDER, nonce)))).toBe('UNKNOWN_NODE');
  });

  it(`a member has at most ${MAX_SPENT_PER_MEMBER} spent nonces remembered (BUSY beyond), room again once they expire`, () => {
    const { g, clock } = gate();
    for (let i = 0; i < MAX_SPENT_PER_MEMBER; i++) g.spend(g.challenge().nonce, MEMBER.address);
    const next = g.challenge().nonce;
    expect(codeOf(() => g.spend(next, MEMBER.address))).toBe('BUSY');
    expect(g.outstanding(next)).toBe(true); // refused, not spent
    g.spend(g.challenge().nonce, OUTSIDER.address); // another signer's quota is its own
    clock.now += CHALLENGE_TTL_MS;
    const later = g.challenge().nonce;
    g.spend(later, MEMBER.address);
    expect(g.outstanding(later)).toBe(false);
  });
});
