/**
 * The core's reference cryptography (src/core/crypto.ts, noble), and the node's SHA-256
 * (node:crypto) against it. The node's signature suites are checked against the reference in
 * crypto-suites.test.ts, the key tables in key-tables.test.ts, the fixed checks in
 * crypto-vectors.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressOf, isHex, isValidAddress, nobleCrypto, sha256Bytes, sha256Hex, signHash, verifyHash } from '../../src/core/crypto.js';
import { sha256Bytes as nodeSha256Bytes, sha256Hex as nodeSha256Hex } from '../../src/crypto/suite.js';
import { KEYS, key } from './fixtures.js';
import { HALF_N, N, P, h, hex32, sOf, withS } from './secp256k1-fixtures.js';

describe('hashing and keys (the reference)', () => {
  it('sha256 matches the FIPS 180-2 vectors', () => {
    const enc = new TextEncoder();
    expect(sha256Hex(enc.encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(Buffer.from(sha256Bytes(enc.encode('abc'))).toString('hex')).toBe(sha256Hex(enc.encode('abc')));
  });

  it('derives the compressed addresses that the independent reference computed', () => {
    for (const k of KEYS) expect(addressOf(k.secret)).toBe(k.address);
    // the generator point itself: secret key 1
    expect(addressOf(hex32(1n))).toBe('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
    for (const bad of [hex32(0n), hex32(N), key(0).secret.toUpperCase(), key(0).secret.slice(2)]) expect(() => addressOf(bad)).toThrow();
  });

  it('isHex wants lower-case hex of exactly the given length', () => {
    expect(isHex('00ff', 2)).toBe(true);
    expect(isHex('00FF', 2)).toBe(false);
    expect(isHex('00f', 2)).toBe(false);
    expect(isHex('00ffaa', 2)).toBe(false);
    expect(isHex('zz00', 2)).toBe(false);
    expect(isHex('00f\u0131', 2)).toBe(false);
    expect(isHex(1234, 2)).toBe(false);
    expect(isHex(undefined, 2)).toBe(false);
  });

  it('isValidAddress accepts curve points and rejects everything else', () => {
    for (const k of KEYS) expect(isValidAddress(k.address)).toBe(true);
    expect(isValidAddress('0')).toBe(false);
    expect(isValidAddress(key(0).address.toUpperCase())).toBe(false);
    expect(isValidAddress('04' + key(0).address.slice(2))).toBe(false);
    expect(isValidAddress('02' + hex32(1n))).toBe(true); // x = 1 is on the curve (8 is a square mod p)
    expect(isValidAddress('02' + hex32(5n))).toBe(false); // x = 5: x³ + 7 = 132 has no square root mod p
    expect(isValidAddress('02' + hex32(P))).toBe(false); // x ≥ p
    expect(isValidAddress('02' + 'f'.repeat(64))).toBe(false);
    expect(isValidAddress(key(0).address.slice(0, 64))).toBe(false);
    expect(isValidAddress(null)).toBe(false);
  });

  it('nobleCrypto is these functions, and remembers nothing', () => {
    expect(nobleCrypto.name).toBe('noble');
    expect(nobleCrypto.verifyHash).toBe(verifyHash);
    expect(nobleCrypto.signHash).toBe(signHash);
    expect(nobleCrypto.isValidAddress).toBe(isValidAddress);
    expect(Object.isFrozen(nobleCrypto)).toBe(true);
  });
});

describe('signatures (the reference)', () => {
  it('signHash is deterministic (RFC 6979), 64-byte compact and low-S', () => {
    const k = key(1);
    const hash = h('deterministic');
    const sig = signHash(hash, k.secret);
    expect(sig).toBe(signHash(hash, k.secret));
    expect(isHex(sig, 64)).toBe(true);
    expect(sOf(sig) <= HALF_N).toBe(true);
    expect(verifyHash(hash, sig, k.address)).toBe(true);
  });

  it('signHash refuses anything but lower-case hex of 32 bytes and a valid scalar', () => {
    const k = key(1);
    const hash = h('refuse');
    for (const [hh, sk] of [
      [hash.toUpperCase(), k.secret],
      [hash, k.secret.toUpperCase()],
      [hash.slice(2), k.secret],
      [hash, hex32(0n)],
      [hash, hex32(N)],
    ]) {
      expect(() => signHash(hh!, sk!)).toThrow();
    }
  });

  it('verifies over the raw 32-byte hash, with no second hashing', () => {
    const k = key(2);
    const hash = h('raw');
    const sig = signHash(hash, k.secret);
    expect(verifyHash(h(hash), sig, k.address)).toBe(false);
    expect(verifyHash(hash, sig, k.address)).toBe(true);
  });

  it('rejects a high-S signature, while the same (r, n − s) is mathematically valid', () => {
    const k = key(3);
    const hash = h('malleable');
    const sig = signHash(hash, k.secret);
    expect(verifyHash(hash, withS(sig, N - sOf(sig)), k.address)).toBe(false);
    expect(verifyHash(hash, sig, k.address)).toBe(true);
  });

  it('rejects non-string input without throwing', () => {
    const k = key(0);
    const hash = h('types');
    const sig = signHash(hash, k.secret);
    const bad = [undefined, null, 42, {}, []] as unknown as string[];
    for (const b of bad) {
      expect(verifyHash(b, sig, k.address)).toBe(false);
      expect(verifyHash(hash, b, k.address)).toBe(false);
      expect(verifyHash(hash, sig, b)).toBe(false);
      expect(isValidAddress(b)).toBe(false);
    }
  });
});

describe("the node's SHA-256 (node:crypto) and the reference's (noble)", () => {
  it('agree on any string, lone surrogates and astral characters included', () => {
    // any UTF-16 code unit (so lone surrogates too), or any whole code point
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 300 }), (s) => {
        expect(nodeSha256Hex(s)).toBe(sha256Hex(s));
      }),
      { numRuns: 500 },
    );
    for (const s of ['\ud800', 'a\udc00b', '\udbff\udfff', 'ı Ķ € 😀']) expect(nodeSha256Hex(s)).toBe(sha256Hex(s));
  });

  it('agree on any bytes, as hex and as bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(nodeSha256Hex(bytes)).toBe(sha256Hex(bytes));
        expect(Array.from(nodeSha256Bytes(bytes))).toEqual(Array.from(sha256Bytes(bytes)));
      }),
      { numRuns: 300 },
    );
  });
});
