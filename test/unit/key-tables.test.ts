/**
 * The binding itself (native/binding.c): its argument reading, and its verification with a
 * precomputed table per key (native/key_tables_impl.h), against noble.
 */
import { describe, expect, it } from 'vitest';
import { addressOf, signHash, verifyHash } from '../../src/core/crypto.js';
import { keyTablesCrypto, loadBinding, TABLE_AFTER, type Binding, type KeyTable } from '../../src/crypto/native.js';
import { signatureAboveN } from '../../src/crypto/vectors.js';
import { key } from './fixtures.js';
import { N, P, h, hex32, rOf, sOf, withR, withS } from './secp256k1-fixtures.js';

const loaded = loadBinding();
/** Built by npm ci; a skipped build (BLOCKCHAT_NO_NATIVE=1) has nothing to test here. */
const builds = process.env.BLOCKCHAT_NO_NATIVE === '1' || process.env.BLOCKCHAT_NOBLE_ONLY === '1' ? [] : [['binding', loaded] as const];

it('the binding loads wherever its build was not skipped', () => {
  if (builds.length > 0) expect(loaded).not.toBeInstanceOf(Error);
  else expect(process.env.BLOCKCHAT_NO_NATIVE === '1' || process.env.BLOCKCHAT_NOBLE_ONLY === '1').toBe(true);
});

describe.each(builds)('the %s', (_, maybe) => {
  const lib = maybe as Binding;

  it('names the library it compiled: the secp256k1 package source, with the GLV endomorphism', () => {
    expect(lib.library()).toMatch(/^libsecp256k1 of secp256k1@5\.0\.2, GLV endomorphism, (GMP|built-in) inverses$/);
  });

  it('randomises its signing context with 32 bytes only, and signs exactly as noble afterwards (RFC 6979)', () => {
    expect(lib.randomize(new Uint8Array(32).fill(7))).toBe(true);
    expect(lib.randomize(new Uint8Array(31))).toBe(false);
    expect(lib.randomize(new Uint8Array(33))).toBe(false);
    expect((lib.randomize as (x: unknown) => boolean)('00'.repeat(32))).toBe(false);
    const secret = h('randomised-key');
    for (let i = 0; i < 8; i++) {
      const hash = h(`randomised-${i}`);
      expect(lib.randomize(new Uint8Array(32).fill(i + 1))).toBe(true);
      expect(lib.sign(hash, secret)).toBe(signHash(hash, secret));
    }
  });

  it('reads its hex arguments as UTF-8: a letter whose low byte is a hex digit is not that digit', () => {
    const secret = h('utf8-key');
    const address = addressOf(secret);
    const hash = h('utf8-msg');
    const sig = signHash(hash, secret);
    const point = lib.parsePoint(address)!;
    expect(lib.verify(hash, sig, point)).toBe(true);
    // a string whose every UTF-16 unit has the low byte of the valid text
    const disguise = (hex: string, i: number): string =>
      hex.slice(0, i) + String.fromCharCode(0x100 | hex.charCodeAt(i)) + hex.slice(i + 1);
    let tried = 0;
    for (let i = 0; i < 64; i += 3) {
      expect(lib.verify(disguise(hash, i), sig, point)).toBe(false);
      expect(lib.verify(hash, disguise(sig, 2 * i), point)).toBe(false);
      expect(lib.sign(disguise(hash, i), secret)).toBeNull();
      expect(lib.sign(hash, disguise(secret, i))).toBeNull();
      expect(lib.addressOf(disguise(secret, i))).toBeNull();
      expect(lib.parsePoint(disguise(address, i + 2))).toBeNull();
      expect(lib.tableOf(disguise(address, i + 2))).toBeNull();
      tried++;
    }
    expect(tried).toBeGreaterThan(20);
    // "ı" and "Ķ" for the digits "1" and "6" of a valid key, and more text after a whole value
    const one = address.indexOf('1', 2);
    const six = address.indexOf('6', 2);
    expect(one > 0 && six > 0).toBe(true);
    for (const bad of [
      address.slice(0, one) + '\u0131' + address.slice(one + 1),
      address.slice(0, six) + '\u0136' + address.slice(six + 1),
      address + '\u0131',
      address.slice(0, -2) + '\u0131',
    ]) {
      expect(lib.parsePoint(bad), JSON.stringify(bad)).toBeNull();
      expect(lib.tableOf(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(lib.verify(hash + '\u0131', sig, point)).toBe(false);
    expect(lib.verify(hash, sig + '\u0136', point)).toBe(false);
    expect(lib.sign(hash, secret + '\u0131')).toBeNull();
    expect(lib.verify(hash, sig, point)).toBe(true);
  });

  it('agrees with noble on hundreds of signatures by the same keys through their tables, tampered and not', () => {
    let valid = 0;
    let checked = 0;
    const agree = (table: KeyTable, label: string, hash: string, sig: string, address: string): boolean => {
      const mine = lib.verifyWith(table, hash, sig);
      const noble = verifyHash(hash, sig, address);
      if (mine !== noble) throw new Error(`table verifier and noble disagree on "${label}": table ${mine}, noble ${noble}`);
      return mine;
    };
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
    expect(lib.prepare()).toBe(true); // made now, or already by an earlier tableOf
    // Asked again, it is not made again. The binding counts no tables of G, so resident memory
    // is the witness: G's table (22 digits × 2048 points × 64 bytes) is kept for good, and eight
    // more of them would add 23 MB.
    const gTableBytes = 22 * 2048 * 64;
    const before = process.memoryUsage.rss();
    for (let i = 0; i < 8; i++) expect(lib.prepare()).toBe(true);
    expect(process.memoryUsage.rss() - before).toBeLessThan(gTableBytes);
  });

  it('handles hashes that are 0 mod n (no G term) and scalars with every top byte', () => {
    const secret = h('table-edge-key');
    const address = addressOf(secret);
    const table = lib.tableOf(address)!;
    for (const hash of ['0'.repeat(64), hex32(N), hex32(N + 1n), 'f'.repeat(64), hex32(1n)]) {
      // a signature by the binding itself: for a hash of n or more, noble's nonce differs
      const sig = lib.sign(hash, secret)!;
      expect(verifyHash(hash, sig, address), hash).toBe(true);
      expect(lib.verifyWith(table, hash, sig), hash).toBe(true);
      expect(lib.verifyWith(table, hash, withS(sig, N - sOf(sig))), hash).toBe(false);
    }
  });

  it('accepts r = x(R) − n when x(R) ≥ n, as noble and libsecp256k1 do', () => {
    const { q, hash, sig } = signatureAboveN();
    const address = q.toHex(true);
    const table = lib.tableOf(address)!;
    const both = (z: string, signature: string): [boolean, boolean] => [
      lib.verifyWith(table, z, signature),
      verifyHash(z, signature, address),
    ];
    expect(both(hash, sig)).toEqual([true, true]);
    expect(both(hash, withR(sig, rOf(sig) + N))).toEqual([false, false]); // r = x(R) itself
    expect(both(hex32(BigInt('0x' + hash) + 1n), sig)).toEqual([false, false]);
    expect(lib.verify(hash, sig, lib.parsePoint(address)!)).toBe(true); // and the library's own verifier
  });

  it('refuses malformed input without throwing, and any external that is not a key table', () => {
    const k = key(0);
    const table = lib.tableOf(k.address)!;
    const hash = h('table-malformed');
    const sig = signHash(hash, k.secret);
    expect(lib.verifyWith(table, hash, sig)).toBe(true);
    for (const bad of [undefined, null, 42, {}, '', sig.toUpperCase(), sig.slice(2), sig + '00', 'zz' + sig.slice(2)]) {
      expect(lib.verifyWith(table, hash, bad as string)).toBe(false);
      expect(lib.verifyWith(table, bad as string, sig)).toBe(false);
    }
    for (const notTable of [undefined, null, {}, Buffer.alloc(64), lib.parsePoint(k.address)]) {
      expect(lib.verifyWith(notTable as KeyTable, hash, sig)).toBe(false);
    }
    for (const notPoint of ['', '02' + hex32(5n), '02' + hex32(P), '04' + k.address.slice(2), k.address.toUpperCase(), 7]) {
      expect(lib.tableOf(notPoint as string)).toBeNull();
    }
  });

  it('the key-table suite makes a key table only once a key has signed often', () => {
    const tables = keyTablesCrypto(lib);
    const secret = h('table-promotion-key');
    const address = addressOf(secret);
    expect(tables.keyTablesMade()).toBe(0);
    // bad signatures never count towards a table
    for (let i = 0; i < 40; i++) expect(tables.verifyHash(h(`promo-${i}`), signHash(h(`other-${i}`), secret), address)).toBe(false);
    expect(tables.keyTablesMade()).toBe(0);
    for (let i = 0; i < TABLE_AFTER - 1; i++)
      expect(tables.verifyHash(h(`promo-${i}`), signHash(h(`promo-${i}`), secret), address)).toBe(true);
    expect(tables.keyTablesMade()).toBe(0);
    expect(tables.verifyHash(h('promo-last'), signHash(h('promo-last'), secret), address)).toBe(true);
    expect(tables.keyTablesMade()).toBe(1);
    // from now on through the table, still exactly noble's answers
    for (let i = 16; i < 60; i++) {
      const hash = h(`promo-${i}`);
      const sig = signHash(hash, secret);
      expect(tables.verifyHash(hash, sig, address)).toBe(true);
      expect(tables.verifyHash(hash, withS(sig, N - sOf(sig)), address)).toBe(false);
      expect(tables.verifyHash(h(hash), sig, address)).toBe(false);
    }
    expect(tables.keyTablesMade()).toBe(1);
    // each suite keeps its own tables: a new one starts from none
    expect(keyTablesCrypto(lib).keyTablesMade()).toBe(0);
  });
});

describe.each(builds)('the key-table suite of the %s keeps its books', (_, maybe) => {
  const lib = maybe as Binding;
  /** `count` valid signatures by `secret` (signed by the binding: noble is slow for this many), each verified once. */
  const verifySigned = (suite: ReturnType<typeof keyTablesCrypto>, secret: string, count: number, tag: string): number => {
    const address = lib.addressOf(secret)!;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const hash = h(`${tag}-${i}`);
      if (suite.verifyHash(hash, lib.sign(hash, secret)!, address)) ok++;
    }
    return ok;
  };

  it('counts each signer on its own, however their signatures interleave, and keeps both tables', () => {
    const suite = keyTablesCrypto(lib);
    const [k1, k2] = [h('interleaved-1'), h('interleaved-2')];
    for (let i = 0; i < TABLE_AFTER; i++) {
      expect(verifySigned(suite, k1, 1, `i1-${i}`)).toBe(1);
      expect(verifySigned(suite, k2, 1, `i2-${i}`)).toBe(1);
    }
    expect(suite.keyTablesMade()).toBe(2);
    expect(verifySigned(suite, k1, 2 * TABLE_AFTER, 'i1-again')).toBe(2 * TABLE_AFTER);
    expect(suite.keyTablesMade()).toBe(2);
  });

  it('keeps 64 tables at most, dropping the oldest', () => {
    const suite = keyTablesCrypto(lib);
    const first = h('evict-0');
    expect(verifySigned(suite, first, TABLE_AFTER, 'evict-0')).toBe(TABLE_AFTER);
    for (let k = 1; k <= 64; k++) verifySigned(suite, h(`evict-${k}`), TABLE_AFTER, `evict-${k}`);
    expect(suite.keyTablesMade()).toBe(65);
    // the newest still has its table; the first lost it and earns a new one
    expect(verifySigned(suite, h('evict-64'), TABLE_AFTER, 'evict-64-again')).toBe(TABLE_AFTER);
    expect(suite.keyTablesMade()).toBe(65);
    expect(verifySigned(suite, first, TABLE_AFTER, 'evict-0-again')).toBe(TABLE_AFTER);
    expect(suite.keyTablesMade()).toBe(66);
  });

  it("64 throwaway keys signing a few times each cannot push out a busy key's table (they push out each other)", () => {
    const suite = keyTablesCrypto(lib);
    const member = h('busy-member');
    expect(verifySigned(suite, member, TABLE_AFTER + 200, 'busy')).toBe(TABLE_AFTER + 200);
    expect(suite.keyTablesMade()).toBe(1);
    let junk = 0;
    for (let k = 0; k < 64; k++) junk += verifySigned(suite, h(`junk-${k}`), TABLE_AFTER, `junk-${k}`);
    expect(junk).toBe(64 * TABLE_AFTER);
    expect(suite.keyTablesMade()).toBe(65);
    // the member still verifies through its table: no new table is made for it
    expect(verifySigned(suite, member, TABLE_AFTER, 'busy-again')).toBe(TABLE_AFTER);
    expect(suite.keyTablesMade()).toBe(65);
  });

  it('forgets what it counted once 10,000 signers are counted at once', () => {
    const suite = keyTablesCrypto(lib);
    const signer = h('forgotten');
    expect(verifySigned(suite, signer, TABLE_AFTER - 1, 'forgotten')).toBe(TABLE_AFTER - 1);
    let counted = 0;
    for (let k = 0; k < 10_000; k++) counted += verifySigned(suite, h(`crowd-${k}`), 1, 'crowd');
    expect(counted).toBe(10_000);
    expect(suite.keyTablesMade()).toBe(0);
    // its next signature starts the count again instead of earning a table
    expect(verifySigned(suite, signer, 1, 'forgotten-next')).toBe(1);
    expect(suite.keyTablesMade()).toBe(0);
    expect(verifySigned(suite, signer, TABLE_AFTER - 1, 'forgotten-again')).toBe(TABLE_AFTER - 1);
    expect(suite.keyTablesMade()).toBe(1);
  });
});
