/**
 * The fixed checks a node runs its suite through before it starts (src/crypto/vectors.ts), the
 * refusal to start with a suite that answers differently from noble, and the choice of suite.
 */
import { describe, expect, it } from 'vitest';
import { nobleCrypto, type Crypto } from '../../src/core/crypto.js';
import { availableSuites, checkedCrypto, selectCrypto, type NodeCrypto } from '../../src/crypto/select.js';
import { nobleNodeCrypto } from '../../src/crypto/fallbacks.js';
import { NOBLE_FINGERPRINT, nobleAnswers, nobleFingerprint, runVectors } from '../../src/crypto/vectors.js';
import { N } from './secp256k1-fixtures.js';

const { suites } = availableSuites(process.env);
const CHECKS = nobleAnswers().length;

/** noble with one deliberate difference, as a suite maker. */
function broken(name: string, change: (c: NodeCrypto) => Partial<Crypto>): { name: string; make: () => NodeCrypto } {
  return { name, make: () => ({ ...nobleNodeCrypto(), ...change(nobleNodeCrypto()) }) };
}
/** What a Latin-1 read of a JS string gives: the low byte of each UTF-16 unit. */
const latin1 = (s: unknown): unknown =>
  typeof s === 'string' ? Array.from(s, (c) => String.fromCharCode(c.charCodeAt(0) & 0xff)).join('') : s;

describe("noble's answers to the fixed checks", () => {
  it('have the fingerprint that nodes compare with (recorded in vectors.ts)', () => {
    expect(nobleFingerprint()).toBe(NOBLE_FINGERPRINT);
  });

  const answers = new Map(nobleAnswers());
  const matching = (re: RegExp): string[] => [...answers.keys()].filter((l) => re.test(l));

  it('say yes to every valid signature, the forged ones and x(R) ≥ n among them', () => {
    const valid = matching(
      /^verifyHash (valid signature|a valid signature|key \d, hash \d: valid$|x\(R\) >= n, (plain|through a key table)$)/,
    );
    expect(valid.length).toBe(18 + 17 + 6 + 2);
    for (const label of valid) expect(answers.get(label), label).toBe('true');
    for (const label of matching(/valid for noble$/)) expect(answers.get(label), label).toBe('true');
  });

  it('say no to every tampered or hostile argument, and refuse invalid keys', () => {
    const hostile = [
      ...matching(/^verifyHash key \d, hash \d: (?!valid$)/),
      ...matching(/^verifyHash x\(R\) >= n, (r = x\(R\)|other hash)$/),
    ];
    expect(hostile.length).toBeGreaterThan(80);
    expect(hostile.filter((l) => /U\+0131|U\+0136/.test(l)).length).toBeGreaterThan(10);
    for (const label of hostile) expect(answers.get(label), label).toBe('false');
    const invalid = matching(
      /^(signHash|addressOf) .*(invalid scalar|U\+0131|U\+0136|upper case|short|long|non-hex|null|number|object|empty)/,
    );
    expect(invalid.length).toBeGreaterThan(40);
    for (const label of invalid) expect(answers.get(label), label).toBe('throws');
  });
});

describe('every suite that loads answers the fixed checks as noble does', () => {
  it.each(suites.map((s) => [s.name, s] as const))('%s', (_, suite) => {
    const crypto = suite.make();
    const report = runVectors(crypto);
    expect(report.disagreements).toEqual([]);
    expect(report.fingerprint).toBe(NOBLE_FINGERPRINT);
    expect(report.checks).toBe(CHECKS);
    // a suite with key tables ran the checks of key 0 and of x(R) ≥ n through tables
    expect(crypto.keyTablesMade()).toBe(suite.name.endsWith('with key tables') ? 2 : 0);
  });
});

describe('a suite that answers differently', () => {
  const cases = [
    broken('reads hex as Latin-1', (c) => ({
      verifyHash: (hash, sig, address) => c.verifyHash(latin1(hash) as string, latin1(sig) as string, latin1(address) as string),
      isValidAddress: (address): address is string => c.isValidAddress(latin1(address)),
    })),
    broken('accepts high-S', (c) => ({
      verifyHash: (hash, sig, address) => {
        const s = BigInt('0x' + (sig.slice(64) || '0'));
        const low = /^[0-9a-f]{128}$/.test(sig) && s > N >> 1n && s < N ? sig.slice(0, 64) + (N - s).toString(16).padStart(64, '0') : sig;
        return c.verifyHash(hash, low, address);
      },
    })),
    broken('hashes strings as Latin-1', () => ({
      sha256Hex: (data) => nobleCrypto.sha256Hex(typeof data === 'string' ? Uint8Array.from(Buffer.from(data, 'latin1')) : data),
    })),
    broken('signs upper-case hashes', (c) => ({ signHash: (hash, secret) => c.signHash(hash.toLowerCase(), secret) })),
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s: the checks tell, and the node refuses to start with it', (_, maker) => {
    const report = runVectors(maker.make());
    expect(report.disagreements.length).toBeGreaterThan(0);
    expect(report.fingerprint).not.toBe(NOBLE_FINGERPRINT);
    expect(() => checkedCrypto(maker)).toThrow();
  });

  it('a suite that agrees is accepted, with the fingerprint of noble', () => {
    const choice = checkedCrypto({ name: 'noble', make: nobleNodeCrypto });
    expect(choice.fingerprint).toBe(NOBLE_FINGERPRINT);
    expect(choice.crypto.name).toBe('noble');
  });
});

describe('the choice of suite', () => {
  it('is the fastest that loads, unless the environment says otherwise; all have one fingerprint', () => {
    const chosen = selectCrypto({});
    expect(chosen.crypto.name).toBe(availableSuites({}).suites[0]!.name);
    const noNative = selectCrypto({ BLOCKCHAT_NO_NATIVE: '1' });
    expect(noNative.crypto.name).not.toMatch(/binding/);
    expect(noNative.notes.length).toBeGreaterThan(0); // it says why it is not the fastest
    const nobleOnly = selectCrypto({ BLOCKCHAT_NOBLE_ONLY: '1' });
    expect(nobleOnly.crypto.name).toBe('noble');
    expect(new Set([chosen.fingerprint, noNative.fingerprint, nobleOnly.fingerprint]).size).toBe(1);
  });

  it('hands out a fresh suite, not the one the checks ran on (whose key tables it has no use for)', () => {
    const chosen = selectCrypto({});
    expect(chosen.crypto.keyTablesMade()).toBe(0);
  });
});
