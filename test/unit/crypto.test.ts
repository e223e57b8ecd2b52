import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as secp from '@noble/secp256k1';
import { describe, expect, it } from 'vitest';
import {
  addressOf,
  backends,
  keyTablesMade,
  isHex,
  isValidAddress,
  isValidAddressNoble,
  sha256Bytes,
  sha256Hex,
  signHash,
  signHashNoble,
  verifierName,
  verifyHash,
  verifyHashNoble,
} from '../../src/core/crypto.js';
import { KEYS, key } from './fixtures.js';

/** Every libsecp256k1 build that loaded here: each must agree with noble, the reference. */
const natives = backends.filter((b) => b.name !== 'noble');

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 2n ** 256n - 2n ** 32n - 977n;
const HALF_N = N >> 1n;

const hex32 = (x: bigint): string => x.toString(16).padStart(64, '0');
const h = (s: string): string => createHash('sha256').update(s).digest('hex');
const rOf = (sig: string): bigint => BigInt('0x' + sig.slice(0, 64));
const sOf = (sig: string): bigint => BigInt('0x' + sig.slice(64));
const withS = (sig: string, s: bigint): string => sig.slice(0, 64) + hex32(s);
const withR = (sig: string, r: bigint): string => hex32(r) + sig.slice(64);

describe('hashing and keys', () => {
  it('sha256 matches the FIPS 180-2 vectors', () => {
    const enc = new TextEncoder();
    expect(sha256Hex(enc.encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(Buffer.from(sha256Bytes(enc.encode('abc'))).toString('hex')).toBe(sha256Hex(enc.encode('abc')));
  });

  it('derives the compressed addresses that the independent reference computed', () => {
    for (const k of KEYS) expect(addressOf(k.secret)).toBe(k.address);
    // the generator point itself: secret key 1
    expect(addressOf(hex32(1n))).toBe('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  });

  it('isHex wants lower-case hex of exactly the given length', () => {
    expect(isHex('00ff', 2)).toBe(true);
    expect(isHex('00FF', 2)).toBe(false);
    expect(isHex('00f', 2)).toBe(false);
    expect(isHex('00ffaa', 2)).toBe(false);
    expect(isHex('zz00', 2)).toBe(false);
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
});

describe('signatures', () => {
  it('signHash is deterministic (RFC 6979), 64-byte compact and low-S', () => {
    const k = key(1);
    const hash = h('deterministic');
    const sig = signHash(hash, k.secret);
    expect(sig).toBe(signHash(hash, k.secret));
    expect(isHex(sig, 64)).toBe(true);
    expect(sOf(sig) <= HALF_N).toBe(true);
    expect(verifyHash(hash, sig, k.address)).toBe(true);
  });

  it('verifies over the raw 32-byte hash, with no second hashing', () => {
    const k = key(2);
    const hash = h('raw');
    const sig = signHash(hash, k.secret);
    expect(verifyHash(h(hash), sig, k.address)).toBe(false);
    expect(verifyHash(hash, sig, k.address)).toBe(true);
  });

  it('uses the fastest libsecp256k1 here: the system build wherever the library is installed (CI installs it)', () => {
    const names = backends.map((b) => b.name);
    expect(names).toContain('libsecp256k1 (bundled)'); // prebuilt in the secp256k1 package for this platform
    expect(names[names.length - 1]).toBe('noble');
    if (existsSync('/usr/include/secp256k1.h')) expect(names.slice(0, 2)).toEqual(['libsecp256k1 (system) with key tables', 'libsecp256k1 (system)']);
    expect(verifierName).toBe(names[0]);
    expect(verifyHash).toBe(backends[0]!.verify);
    expect(signHash).toBe(backends[0]!.sign);
  });

  it.each(natives.map((b) => [b.name, b] as const))('%s and noble agree bit for bit on a few hundred random cases', (_, backend) => {
    const cases: Array<[string, string, string, string]> = [];
    const add = (label: string, hash: string, sig: string, address: string): void => {
      cases.push([label, hash, sig, address]);
    };
    let valid = 0;
    let highS = 0;
    for (let i = 0; i < 200; i++) {
      const secret = h(`crypto-agreement-key-${i}`);
      const address = addressOf(secret);
      const hash = h(`crypto-agreement-msg-${i}`);
      const sig = signHash(hash, secret);
      const r = rOf(sig);
      const s = sOf(sig);
      expect(s <= HALF_N).toBe(true);
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
        add('upper-case signature', hash, sig.toUpperCase(), address);
        add('upper-case hash', hash.toUpperCase(), sig, address);
        add('short signature', hash, sig.slice(2), address);
        add('long signature', hash, sig + '00', address);
        add('non-hex signature', hash, 'zz' + sig.slice(2), address);
        add('short hash', hash.slice(2), sig, address);
        add('empty address', hash, sig, '');
        add('address "0"', hash, sig, '0');
        add('address off the curve', hash, sig, '02' + hex32(5n));
        add('other valid point', hash, sig, '02' + hex32(1n));
        add('address with bad prefix', hash, sig, '05' + address.slice(2));
        add('address upper-case', hash, sig, address.toUpperCase());
      }
    }
    for (const [label, hash, sig, address] of cases) {
      const nat = backend.verify(hash, sig, address);
      const nob = verifyHashNoble(hash, sig, address);
      if (nat !== nob) throw new Error(`verifiers disagree on "${label}": native ${nat}, noble ${nob}`);
      if (nat) valid++;
      if (label === 'high-S' && nat) highS++;
    }
    expect(cases.length).toBeGreaterThan(1400);
    expect(valid).toBe(200); // exactly the untouched signatures verify
    expect(highS).toBe(0);
  });

  it('rejects a high-S signature everywhere, while the same (r, n − s) is mathematically valid', () => {
    const k = key(3);
    const hash = h('malleable');
    const sig = signHash(hash, k.secret);
    const high = withS(sig, N - sOf(sig));
    expect(verifyHashNoble(hash, high, k.address)).toBe(false);
    for (const b of backends) expect(b.verify(hash, high, k.address), b.name).toBe(false);
    expect(verifyHash(hash, high, k.address)).toBe(false);
  });

  it('rejects non-string input without throwing', () => {
    const k = key(0);
    const hash = h('types');
    const sig = signHash(hash, k.secret);
    const bad = [undefined, null, 42, {}, []] as unknown as string[];
    for (const b of bad) {
      for (const backend of backends) {
        expect(backend.verify(b, sig, k.address), backend.name).toBe(false);
        expect(backend.verify(hash, b, k.address), backend.name).toBe(false);
        expect(backend.verify(hash, sig, b), backend.name).toBe(false);
        expect(backend.isPoint(b), backend.name).toBe(false);
      }
    }
  });
});

describe.each(natives.map((b) => [b.name, b] as const))('%s signs and checks points exactly as noble does', (_, backend) => {
  it('signatures are identical bytes (both RFC 6979, both low-S)', () => {
    for (let i = 0; i < 300; i++) {
      const secret = h(`sign-agreement-key-${i}`);
      const hash = h(`sign-agreement-msg-${i}`);
      const native = backend.sign(hash, secret);
      expect(native).toBe(signHashNoble(hash, secret));
      expect(sOf(native) <= HALF_N).toBe(true);
    }
  });

  it('refuses to sign with a secret key that is not a valid scalar', () => {
    expect(() => backend.sign(h('x'), '0'.repeat(64))).toThrow();
    expect(() => backend.sign(h('x'), hex32(N))).toThrow();
  });

  it('point checks agree on valid, off-curve, uncompressed and malformed addresses', () => {
    const candidates: unknown[] = [null, 42, '', '02', 'zz'.repeat(33), '04' + 'ab'.repeat(32)];
    for (let i = 0; i < 300; i++) {
      const x = h(`point-${i}`);
      candidates.push('02' + x, '03' + x, '05' + x, addressOf(h(`point-key-${i}`)));
    }
    candidates.push('02' + hex32(P), '03' + hex32(P + 1n > 2n ** 256n - 1n ? P : P + 1n), '02' + '0'.repeat(64));
    let valid = 0;
    for (const c of candidates) {
      const want = isValidAddressNoble(c);
      expect(backend.isPoint(c), String(c)).toBe(want);
      if (want) valid++;
    }
    // about half of random x coordinates are on the curve, plus the 300 real keys
    expect(valid).toBeGreaterThan(300);
    expect(valid).toBeLessThan(900);
  });
});

/** The binding's table verifier itself (native/verify_tables.c), where the binding is built. */
interface TableVerifier {
  prepare(): boolean;
  tableOf(address: string): object | null;
  verifyWith(table: object, hashHex: string, signatureHex: string): boolean;
}
const binding = ((): TableVerifier | undefined => {
  try {
    return createRequire(import.meta.url)('#blockchat-secp256k1') as TableVerifier;
  } catch {
    return undefined;
  }
})();

describe.skipIf(binding === undefined)('verification with a precomputed table per key', () => {
  const lib = binding!;
  const agree = (table: object, label: string, hash: string, sig: string, address: string): boolean => {
    const nat = lib.verifyWith(table, hash, sig);
    const nob = verifyHashNoble(hash, sig, address);
    if (nat !== nob) throw new Error(`table verifier and noble disagree on "${label}": table ${nat}, noble ${nob}`);
    return nat;
  };

  it('agrees with noble on hundreds of signatures by the same keys, tampered and not', () => {
    let valid = 0;
    let checked = 0;
    for (let k = 0; k < 2; k++) {
      const secret = h(`table-key-${k}`);
      const address = addressOf(secret);
      const table = lib.tableOf(address)!;
      expect(table).not.toBeNull();
      for (let i = 0; i < 120; i++) {
        const hash = h(`table-msg-${k}-${i}`);
        const sig = signHash(hash, secret);
        const r = rOf(sig);
        const s = sOf(sig);
        const cases: Array<[string, string, string]> = [
          ['valid', hash, sig],
          ['high-S', hash, withS(sig, N - s)],
          ['other hash', h(hash), sig],
          ['flipped bit in r', hash, withR(sig, r ^ (1n << BigInt(i % 256)))],
          ['flipped bit in s', hash, withS(sig, s ^ (1n << BigInt(i % 255)))],
          ['r + n', hash, withR(sig, N + r < 2n ** 256n ? N + r : 2n ** 256n - 1n)],
          ['s = n', hash, withS(sig, N)],
          ['r = 0', hash, withR(sig, 0n)],
        ];
        for (const [label, hh, ss] of cases) {
          if (agree(table, label, hh, ss, address)) valid++;
          checked++;
        }
      }
      // the wrong key's table
      expect(lib.verifyWith(lib.tableOf(key(k).address)!, h(`table-msg-${k}-0`), signHash(h(`table-msg-${k}-0`), secret))).toBe(false);
    }
    expect(checked).toBe(2 * 120 * 8);
    expect(valid).toBe(2 * 120); // the untouched signatures, and nothing else
  });

  it("makes G's shared table on request, once (a node asks as it starts)", () => {
    expect(lib.prepare()).toBe(true);
    expect(lib.prepare()).toBe(true);
  });

  it('handles hashes that are 0 mod n (no G term) and scalars with every top byte', () => {
    const secret = h('table-edge-key');
    const address = addressOf(secret);
    const table = lib.tableOf(address)!;
    for (const hash of ['0'.repeat(64), hex32(N), hex32(N + 1n), 'f'.repeat(64), hex32(1n)]) {
      expect(agree(table, `hash ${hash}`, hash, signHash(hash, secret), address)).toBe(true);
    }
  });

  it('accepts r = x(R) − n when x(R) ≥ n, as noble and libsecp256k1 do', () => {
    // A point R with n ≤ x(R) < p, and a key Q = r⁻¹(s·R − z·G) for which (r, s) signs z.
    let x = N + 1n; // (x = n itself would make r = 0)
    let R: secp.Point | undefined;
    while (R === undefined) {
      try {
        R = secp.Point.fromHex('02' + hex32(x));
      } catch {
        x++;
      }
    }
    const r = x - N;
    const s = 12345n;
    const z = BigInt('0x' + h('table-x-above-n')) % N;
    const Q = R.multiply(s).subtract(secp.Point.BASE.multiply(z)).multiply(secp.etc.invert(r, N));
    const address = Q.toHex(true);
    const table = lib.tableOf(address)!;
    const sig = hex32(r) + hex32(s);
    expect(agree(table, 'x(R) ≥ n', hex32(z), sig, address)).toBe(true);
    expect(agree(table, 'x(R) ≥ n, r = x(R)', hex32(z), hex32(x) + hex32(s), address)).toBe(false);
    expect(agree(table, 'x(R) ≥ n, other hash', hex32(z + 1n), sig, address)).toBe(false);
  });

  it('refuses malformed input without throwing', () => {
    const k = key(0);
    const table = lib.tableOf(k.address)!;
    const hash = h('table-malformed');
    const sig = signHash(hash, k.secret);
    expect(lib.verifyWith(table, hash, sig)).toBe(true);
    for (const bad of [undefined, null, 42, {}, '', sig.toUpperCase(), sig.slice(2), sig + '00', 'zz' + sig.slice(2)]) {
      expect(lib.verifyWith(table, hash, bad as string)).toBe(false);
      expect(lib.verifyWith(table, bad as string, sig)).toBe(false);
    }
    for (const notTable of [undefined, null, {}, Buffer.alloc(64)]) expect(lib.verifyWith(notTable as object, hash, sig)).toBe(false);
    for (const notPoint of ['', '02' + hex32(5n), '02' + hex32(P), '04' + k.address.slice(2), k.address.toUpperCase(), 7]) {
      expect(lib.tableOf(notPoint as string)).toBeNull();
    }
  });

  it('the node verifier makes a key table only once a key has signed often', () => {
    const tables = backends.find((b) => b.name === 'libsecp256k1 (system) with key tables');
    if (!tables) return expect(existsSync('/usr/include/secp256k1.h')).toBe(false);
    const secret = h('table-promotion-key');
    const address = addressOf(secret);
    const before = keyTablesMade();
    // bad signatures never count towards a table
    for (let i = 0; i < 40; i++) expect(tables.verify(h(`promo-${i}`), signHash(h(`other-${i}`), secret), address)).toBe(false);
    expect(keyTablesMade()).toBe(before);
    for (let i = 0; i < 15; i++) expect(tables.verify(h(`promo-${i}`), signHash(h(`promo-${i}`), secret), address)).toBe(true);
    expect(keyTablesMade()).toBe(before);
    expect(tables.verify(h('promo-15'), signHash(h('promo-15'), secret), address)).toBe(true);
    expect(keyTablesMade()).toBe(before + 1);
    // from now on through the table, still exactly noble's answers
    for (let i = 16; i < 60; i++) {
      const hash = h(`promo-${i}`);
      const sig = signHash(hash, secret);
      expect(tables.verify(hash, sig, address)).toBe(true);
      expect(tables.verify(hash, withS(sig, N - sOf(sig)), address)).toBe(false);
      expect(tables.verify(h(hash), sig, address)).toBe(false);
    }
    expect(keyTablesMade()).toBe(before + 1);
  });
});
