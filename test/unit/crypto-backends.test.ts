import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import secp256k1 from 'secp256k1';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addressOf, backends, isValidAddressNoble, keyTablesMade, signHash } from '../../src/core/crypto.js';
import { key } from './fixtures.js';

/** Which secp256k1 implementations load, and the key-table verifier's bookkeeping (src/core/crypto.ts). */

const h = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('choosing the implementations', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  /** The crypto module as a fresh process with this environment would load it. */
  async function loadWith(env: Record<string, string>): Promise<typeof import('../../src/core/crypto.js')> {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.resetModules();
    return import('../../src/core/crypto.js');
  }

  it('BLOCKCHAT_NOBLE_ONLY=1 leaves noble alone, and it still signs and verifies', async () => {
    const crypto = await loadWith({ BLOCKCHAT_NOBLE_ONLY: '1' });
    expect(crypto.backends.map((b) => b.name)).toEqual(['noble']);
    expect(crypto.verifierName).toBe('noble');
    const k = key(0);
    const hash = h('noble only');
    const sig = crypto.signHash(hash, k.secret);
    expect(sig).toBe(signHash(hash, k.secret));
    expect(crypto.verifyHash(hash, sig, k.address)).toBe(true);
    expect(crypto.isValidAddress(k.address)).toBe(true);
  });

  it('BLOCKCHAT_NO_NATIVE=1 leaves out the system binding but keeps the bundled build', async () => {
    const crypto = await loadWith({ BLOCKCHAT_NO_NATIVE: '1' });
    expect(crypto.backends.map((b) => b.name)).toEqual(['libsecp256k1 (bundled)', 'noble']);
    expect(() => crypto.prepareKeyTables()).not.toThrow(); // nothing to prepare
  });

  it('the system binding is in use, with key tables first, wherever its library is installed', () => {
    const names = backends.map((b) => b.name);
    const system = ['libsecp256k1 (system) with key tables', 'libsecp256k1 (system)'];
    expect(names.slice(0, 2)).toEqual(existsSync('/usr/include/secp256k1.h') ? system : ['libsecp256k1 (bundled)', 'noble']);
  });
});

describe('the reference point check', () => {
  it('wants lower-case hex, although noble parses upper case', () => {
    const k = key(1);
    expect(isValidAddressNoble(k.address)).toBe(true);
    expect(isValidAddressNoble(k.address.toUpperCase())).toBe(false);
    expect(isValidAddressNoble(42)).toBe(false);
  });
});

const tables = backends.find((b) => b.name === 'libsecp256k1 (system) with key tables');

describe.runIf(tables !== undefined)('key tables (the system binding)', () => {
  const verifier = tables!;
  /** `count` valid signatures by `secret`, each verified once; returns how many verified. */
  const verifySigned = (secret: string, count: number, tag: string): number => {
    const address = addressOf(secret);
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const hash = h(`${tag}-${i}`);
      if (verifier.verify(hash, signHash(hash, secret), address)) ok++;
    }
    return ok;
  };

  it('the binding refuses to sign with a secret key that is not a scalar, and says why', () => {
    const plain = backends.find((b) => b.name === 'libsecp256k1 (system)')!;
    expect(() => plain.sign(h('x'), '0'.repeat(64))).toThrow(/\S/);
  });

  it('counts each signer on its own, however their signatures interleave', () => {
    const [k1, k2] = [h('interleaved-1'), h('interleaved-2')];
    const before = keyTablesMade();
    for (let i = 0; i < 16; i++) {
      expect(verifySigned(k1, 1, `i1-${i}`)).toBe(1);
      expect(verifySigned(k2, 1, `i2-${i}`)).toBe(1);
    }
    expect(keyTablesMade()).toBe(before + 2);
    // the first key keeps its table when the second gets one
    expect(verifySigned(k1, 32, 'i1-again')).toBe(32);
    expect(keyTablesMade()).toBe(before + 2);
  });

  it('keeps 64 tables at most, dropping the oldest', () => {
    const first = h('evict-0');
    const before = keyTablesMade();
    expect(verifySigned(first, 16, 'evict-0')).toBe(16);
    for (let k = 1; k <= 64; k++) verifySigned(h(`evict-${k}`), 16, `evict-${k}`);
    expect(keyTablesMade()).toBe(before + 65);
    // the newest still has its table; the first lost it and earns a new one
    expect(verifySigned(h('evict-64'), 16, 'evict-64-again')).toBe(16);
    expect(keyTablesMade()).toBe(before + 65);
    expect(verifySigned(first, 16, 'evict-0-again')).toBe(16);
    expect(keyTablesMade()).toBe(before + 66);
  });

  it('forgets what it counted once 10,000 signers are counted at once', () => {
    const signer = h('forgotten');
    const before = keyTablesMade();
    expect(verifySigned(signer, 15, 'forgotten')).toBe(15);
    // 10,000 other signers (their addresses from the bundled libsecp256k1: noble is slow for this many)
    const hash = h('crowd');
    let counted = 0;
    for (let k = 0; k < 10_000; k++) {
      const secret = h(`crowd-${k}`);
      const address = Buffer.from(secp256k1.publicKeyCreate(Buffer.from(secret, 'hex'), true)).toString('hex');
      if (verifier.verify(hash, signHash(hash, secret), address)) counted++;
    }
    expect(counted).toBe(10_000);
    expect(keyTablesMade()).toBe(before);
    // its 16th signature starts the count again instead of earning a table
    expect(verifySigned(signer, 1, 'forgotten-16')).toBe(1);
    expect(keyTablesMade()).toBe(before);
    expect(verifySigned(signer, 15, 'forgotten-again')).toBe(15);
    expect(keyTablesMade()).toBe(before + 1);
  });
});
