/**
 * Every signature suite a node can choose (src/crypto/select.ts) answers exactly as noble, the
 * core's reference: on valid and tampered signatures, on hostile strings, on points, on signing.
 */
import { describe, expect, it } from 'vitest';
import { addressOf, isValidAddress, signHash, verifyHash } from '../../src/core/crypto.js';
import { availableSuites } from '../../src/crypto/select.js';
import { KEYS } from './fixtures.js';
import { HALF_N, N, P, h, hex32, hostile, rOf, sOf, withR, withS } from './secp256k1-fixtures.js';

const { suites, missing } = availableSuites(process.env);
/** Every libsecp256k1 suite that loaded here. */
const natives = suites.filter((s) => s.name !== 'noble').map((s) => [s.name, s] as const);

describe('the suites that load here', () => {
  it("include this project's binding wherever the build was not skipped (npm ci builds it, or says loudly why not)", () => {
    const names = suites.map((s) => s.name);
    expect(names[names.length - 1]).toBe('noble');
    if (process.env.BLOCKCHAT_NOBLE_ONLY === '1') return expect(names).toEqual(['noble']);
    expect(names).toContain('libsecp256k1 (bundled)'); // prebuilt in the secp256k1 package for this platform
    if (process.env.BLOCKCHAT_NO_NATIVE === '1') return expect(names).not.toContain('libsecp256k1 (binding)');
    expect(missing).toEqual([]);
    expect(names.slice(0, 2)).toEqual(['libsecp256k1 (binding) with key tables', 'libsecp256k1 (binding)']);
  });
});

describe.each(natives)('%s answers as noble', (_, suite) => {
  it('on a few hundred random signatures, valid and tampered', () => {
    const crypto = suite.make();
    const cases: Array<[string, string, string, string]> = [];
    const add = (label: string, hash: string, sig: string, address: string): void => void cases.push([label, hash, sig, address]);
    for (let i = 0; i < 200; i++) {
      const secret = h(`crypto-agreement-key-${i}`);
      const address = addressOf(secret);
      const hash = h(`crypto-agreement-msg-${i}`);
      const sig = signHash(hash, secret);
      const r = rOf(sig);
      const s = sOf(sig);
      add('valid', hash, sig, address);
      add('high-S', hash, withS(sig, N - s), address);
      add('other hash', h(hash), sig, address);
      add('wrong key', hash, sig, KEYS[i % KEYS.length]!.address);
      add('flipped bit', hash, withR(sig, r ^ 1n), address);
      if (i % 5 === 0) {
        add('r = 0', hash, withR(sig, 0n), address);
        add('s = 0', hash, withS(sig, 0n), address);
        add('r = n', hash, withR(sig, N), address);
        add('s = n', hash, withS(sig, N), address);
        add('r = n + r', hash, withR(sig, N + r < 2n ** 256n ? N + r : 2n ** 256n - 1n), address);
        add('s = 2^256 - 1', hash, withS(sig, 2n ** 256n - 1n), address);
        add('s = n - 1 (high)', hash, withS(sig, N - 1n), address);
        add('all zero', hash, '0'.repeat(128), address);
        add('address off the curve', hash, sig, '02' + hex32(5n));
        add('other valid point', hash, sig, '02' + hex32(1n));
        add('address with bad prefix', hash, sig, '05' + address.slice(2));
      }
    }
    let valid = 0;
    for (const [label, hash, sig, address] of cases) {
      const mine = crypto.verifyHash(hash, sig, address);
      const noble = verifyHash(hash, sig, address);
      if (mine !== noble) throw new Error(`disagree on "${label}": ${mine}, noble ${noble}`);
      if (mine) valid++;
    }
    expect(cases.length).toBeGreaterThan(1000);
    expect(valid).toBe(200); // exactly the untouched signatures verify
  });

  it('on hostile strings in every argument: never valid, never an exception', () => {
    const crypto = suite.make();
    const secret = h('hostile-key');
    const address = addressOf(secret);
    const hash = h('hostile-msg');
    const sig = signHash(hash, secret);
    // enough valid verifications first for a suite with key tables to make this key's table
    for (let i = 0; i < 20; i++) expect(crypto.verifyHash(h(`hostile-${i}`), signHash(h(`hostile-${i}`), secret), address)).toBe(true);
    const strings = { hash: hostile(hash), sig: hostile(sig), address: hostile(address), secret: hostile(secret) };
    expect(strings.sig.length).toBeGreaterThan(20);
    for (const bad of strings.sig) expect(crypto.verifyHash(hash, bad, address), JSON.stringify(bad)).toBe(false);
    for (const bad of strings.hash) expect(crypto.verifyHash(bad, sig, address), JSON.stringify(bad)).toBe(false);
    for (const bad of strings.address) {
      expect(crypto.verifyHash(hash, sig, bad), JSON.stringify(bad)).toBe(false);
      expect(crypto.isValidAddress(bad), JSON.stringify(bad)).toBe(false);
    }
    for (const bad of strings.secret) {
      expect(() => crypto.signHash(hash, bad), JSON.stringify(bad)).toThrow();
      expect(() => crypto.addressOf(bad), JSON.stringify(bad)).toThrow();
    }
    for (const bad of strings.hash) expect(() => crypto.signHash(bad, secret), JSON.stringify(bad)).toThrow();
    for (const bad of [undefined, null, 42, {}, []] as unknown as string[]) {
      expect(crypto.verifyHash(bad, sig, address)).toBe(false);
      expect(crypto.verifyHash(hash, bad, address)).toBe(false);
      expect(crypto.verifyHash(hash, sig, bad)).toBe(false);
      expect(crypto.isValidAddress(bad)).toBe(false);
    }
    expect(crypto.verifyHash(hash, sig, address)).toBe(true); // and the untouched one still verifies
  });

  it('signs the same bytes (both RFC 6979, both low-S) for hashes below n, and validly for any hash', () => {
    const crypto = suite.make();
    for (let i = 0; i < 300; i++) {
      const secret = h(`sign-agreement-key-${i}`);
      const hash = h(`sign-agreement-msg-${i}`);
      const mine = crypto.signHash(hash, secret);
      expect(mine).toBe(signHash(hash, secret));
      expect(sOf(mine) <= HALF_N).toBe(true);
      expect(crypto.addressOf(secret)).toBe(addressOf(secret));
    }
    // libsecp256k1 takes the hash as it is into the RFC 6979 nonce, noble reduced mod n: for a
    // hash of n or more the signatures differ, and both are valid
    for (const hash of [hex32(N), hex32(N + 5n), 'f'.repeat(64)]) {
      const mine = crypto.signHash(hash, KEYS[0]!.secret);
      expect(verifyHash(hash, mine, KEYS[0]!.address)).toBe(true);
      expect(sOf(mine) <= HALF_N).toBe(true);
    }
  });

  it('refuses to sign with a secret key that is not a valid scalar', () => {
    const crypto = suite.make();
    for (const bad of [hex32(0n), hex32(N), hex32(N + 1n), 'f'.repeat(64)]) {
      expect(() => crypto.signHash(h('x'), bad)).toThrow();
      expect(() => crypto.addressOf(bad)).toThrow();
    }
  });

  it('checks points as noble does: valid, off-curve, uncompressed and malformed addresses', () => {
    const crypto = suite.make();
    const candidates: unknown[] = [null, 42, '', '02', 'zz'.repeat(33), '04' + 'ab'.repeat(32)];
    for (let i = 0; i < 300; i++) {
      const x = h(`point-${i}`);
      candidates.push('02' + x, '03' + x, '05' + x, addressOf(h(`point-key-${i}`)));
    }
    candidates.push('02' + hex32(P), '03' + hex32(P + 1n > 2n ** 256n - 1n ? P : P + 1n), '02' + '0'.repeat(64));
    let valid = 0;
    for (const c of candidates) {
      const want = isValidAddress(c);
      expect(crypto.isValidAddress(c), String(c)).toBe(want);
      expect(crypto.isValidAddress(c), `${String(c)}, asked again`).toBe(want); // the memo answers the same
      if (want) valid++;
    }
    // about half of random x coordinates are on the curve, plus the 300 real keys
    expect(valid).toBeGreaterThan(300);
    expect(valid).toBeLessThan(900);
  });
});
