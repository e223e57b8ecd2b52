/**
 * A fixed set of checks that every `Crypto` must answer exactly as noble (the core's reference)
 * does, and the fingerprint of the answers.
 *
 * A node runs its suite over them before it starts, and refuses to start if any answer differs
 * from noble's (select.ts: noble's answers are known by their fingerprint, NOBLE_FINGERPRINT,
 * and asked of noble only to name the checks that differ); it reports the fingerprint in GET
 * /status and in its join request and hello, and a node hearing a different one says so. All suites that agree with noble have the
 * same fingerprint; a different one means a peer whose verifier answers differently (a build
 * that was changed, or a different set of checks).
 *
 * The checks: SHA-256 of bytes and of strings (non-ASCII, lone surrogates); addresses of valid
 * and invalid secret keys; point checks; signatures over fixed hashes by fixed keys; and
 * verifications of valid and tampered signatures, by a key verified often enough to get a key
 * table (TABLE_AFTER) and by one that is not, including x(R) ≥ n. Every hex argument also comes
 * hostile: upper case, wrong length, non-hex, and non-ASCII letters whose low byte is a hex
 * digit (U+0131 "ı" reads as "1" in Latin-1, U+0136 "Ķ" as "6").
 */
import * as secp from '@noble/secp256k1';
import { nobleCrypto, type Crypto } from '../core/crypto.js';
import { TABLE_AFTER } from './native.js';

/** Changes whenever a check is added or changed: part of the fingerprint. */
const VERSION = 'blockchat/crypto-vectors/1';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 2n ** 256n - 2n ** 32n - 977n;
const hex32 = (x: bigint): string => x.toString(16).padStart(64, '0');
const big = (hex: string): bigint => BigInt('0x' + hex);
const mod = (x: bigint): bigint => ((x % N) + N) % N;
/** Inputs come from the reference alone, whatever suite is checked. */
const h = (s: string): string => nobleCrypto.sha256Hex(`blockchat/vectors/${s}`);

/** A check: a label, and what to ask a suite. */
type Check = readonly [label: string, ask: (c: Crypto) => unknown];

/** Hostile variants of a hex argument, each with its label. */
function hostile(hex: string): Array<[string, unknown]> {
  const at = (i: number, ch: string): string => hex.slice(0, i) + ch + hex.slice(i + 1);
  const one = hex.indexOf('1');
  const six = hex.indexOf('6');
  return [
    ['upper case', hex.toUpperCase()],
    ['one digit upper case', hex.replace(/[a-f]/, (d) => d.toUpperCase())],
    ['short', hex.slice(2)],
    ['one digit short', hex.slice(1)],
    ['long', hex + '00'],
    ['one digit long', hex + '0'],
    ['non-hex', 'zz' + hex.slice(2)],
    ['U+0131 for a digit', at(one >= 0 ? one : 0, '\u0131')],
    ['U+0136 for a digit', at(six >= 0 ? six : 0, '\u0136')],
    ['U+0131 appended', hex + '\u0131'],
    ['U+0136 instead of the last digit', hex.slice(0, -1) + '\u0136'],
    ['NUL for a digit', at(0, '\0')],
    ['empty', ''],
    ['null', null],
    ['number', 42],
    ['object', {}],
  ];
}

/** A valid signature by `q` (a point, secret unknown) over a hash it chooses: u1 = a, u2 = b. */
function forged(q: secp.Point, a: bigint, b: bigint): { hash: string; sig: string } {
  const r = mod(secp.Point.BASE.multiply(a).add(q.multiply(b, false)).x); // public scalars: the fast multiply
  let s = mod(r * secp.etc.invert(b, N));
  const z = mod(a * s);
  if (s > N >> 1n) s = N - s; // (r, n − s) verifies with −u1, −u2: −R has the same x
  return { hash: hex32(z), sig: hex32(r) + hex32(s) };
}

/**
 * A key Q and a signature (r, s) by it over the hash z for which R = u1·G + u2·Q has
 * n ≤ x(R) < p, so that r = x(R) − n: Q = r⁻¹(s·R − z·G) for such a point R.
 */
export function signatureAboveN(): { q: secp.Point; hash: string; sig: string } {
  let x = N + 1n;
  let R: secp.Point | undefined;
  while (R === undefined) {
    try {
      R = secp.Point.fromHex('02' + hex32(x));
    } catch {
      x++;
    }
  }
  const s = 12345n;
  const z = mod(big(h('x(R) above n')));
  const r = x - N;
  const q = R.multiply(s).subtract(secp.Point.BASE.multiply(z)).multiply(secp.etc.invert(r, N));
  return { q, hash: hex32(z), sig: hex32(r) + hex32(s) };
}

function makeChecks(): Check[] {
  const checks: Check[] = [];
  const add = (label: string, ask: (c: Crypto) => unknown): void => void checks.push([label, ask]);
  const enc = new TextEncoder();

  for (const text of ['', 'abc', 'ıĶ € 😀', '\ud800', 'a\udc00b\ud800', '["domain","02ab",1,"coins"]']) {
    add(`sha256Hex of the string ${JSON.stringify(text)}`, (c) => c.sha256Hex(text));
    add(`sha256Hex of the UTF-8 of ${JSON.stringify(text)}`, (c) => c.sha256Hex(enc.encode(text)));
  }
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
  add('sha256Bytes of 300 bytes', (c) => Array.from(c.sha256Bytes(bytes)));

  const secrets = [0, 1, 2, 3].map((i) => h(`key/${i}`));
  const keys = [...secrets, hex32(1n), hex32(N - 1n)];
  for (const [i, secret] of keys.entries()) add(`addressOf key ${i}`, (c) => c.addressOf(secret));
  for (const [label, bad] of [
    ['0', hex32(0n)],
    ['n', hex32(N)],
    ['n + 1', hex32(N + 1n)],
    ['2^256 - 1', 'f'.repeat(64)],
  ] as const) {
    add(`addressOf the invalid scalar ${label}`, (c) => c.addressOf(bad));
  }
  for (const [label, bad] of hostile(secrets[0]!)) add(`addressOf a secret key: ${label}`, (c) => c.addressOf(bad as string));

  const addresses = keys.map((k) => nobleCrypto.addressOf(k));
  const points: Array<[string, unknown]> = [
    ...addresses.map((a, i): [string, unknown] => [`key ${i}`, a]),
    ['x = 1', '02' + hex32(1n)],
    ['x = 1, odd y', '03' + hex32(1n)],
    ['x = 5, not on the curve', '02' + hex32(5n)],
    ['x = p', '02' + hex32(P)],
    ['x = 0', '02' + hex32(0n)],
    ['x = 2^256 - 1', '02' + 'f'.repeat(64)],
    ['prefix 04', '04' + addresses[0]!.slice(2)],
    ['prefix 05', '05' + addresses[0]!.slice(2)],
    ['prefix 00', '00' + addresses[0]!.slice(2)],
    ['"0"', '0'],
    ...hostile(addresses[0]!).map(([label, v]): [string, unknown] => [`key 0: ${label}`, v]),
  ];
  for (const [label, address] of points) add(`isValidAddress ${label}`, (c) => c.isValidAddress(address));

  const hashes = [h('msg/0'), h('msg/1'), hex32(0n), hex32(1n), hex32(N - 1n)];
  for (const [k, secret] of keys.entries()) {
    for (const [i, hash] of hashes.entries()) add(`signHash hash ${i} by key ${k}`, (c) => c.signHash(hash, secret));
  }
  // A hash of n or more (a SHA-256 output with odds of 2^-128): libsecp256k1 derives the RFC 6979
  // nonce from the hash as it is, noble (as RFC 6979 says) from the hash reduced mod n, so the
  // signatures differ; both are valid, and only validity matters to the protocol.
  for (const k of [0, 5]) {
    const secret = keys[k]!;
    for (const [i, hash] of [hex32(N), hex32(N + 1n), 'f'.repeat(64)].entries()) {
      add(`signHash a hash of n or more (${i}) by key ${k}: valid for noble`, (c) =>
        nobleCrypto.verifyHash(hash, c.signHash(hash, secret), addresses[k]!),
      );
    }
  }
  add('signHash by the invalid scalar 0', (c) => c.signHash(hashes[0]!, hex32(0n)));
  add('signHash by the invalid scalar n', (c) => c.signHash(hashes[0]!, hex32(N)));
  for (const [label, bad] of hostile(hashes[0]!)) add(`signHash a hash: ${label}`, (c) => c.signHash(bad as string, secrets[0]!));
  for (const [label, bad] of hostile(secrets[0]!)) add(`signHash by a secret key: ${label}`, (c) => c.signHash(hashes[0]!, bad as string));

  // Key 0 signs often: after TABLE_AFTER verified signatures a suite with key tables makes its
  // table, and every check below runs through it. Key 1 stays below (the plain verifier).
  const often = addresses[0]!;
  for (let i = 0; i < TABLE_AFTER + 2; i++) {
    const hash = h(`often/${i}`);
    const sig = nobleCrypto.signHash(hash, secrets[0]!);
    add(`verifyHash valid signature ${i} by key 0`, (c) => c.verifyHash(hash, sig, often));
  }
  for (const k of [0, 1]) {
    const secret = secrets[k]!;
    const address = addresses[k]!;
    const other = addresses[k + 1]!;
    for (const [i, hash] of [h('tamper/0'), hex32(0n), hex32(N)].entries()) {
      const sig = nobleCrypto.signHash(hash, secret);
      const r = big(sig.slice(0, 64));
      const s = big(sig.slice(64));
      const withR = (x: bigint): string => hex32(x) + sig.slice(64);
      const withS = (x: bigint): string => sig.slice(0, 64) + hex32(x);
      const cases: Array<[string, unknown, unknown, unknown]> = [
        ['valid', hash, sig, address],
        ['high-S', hash, withS(N - s), address],
        ['other hash', hex32(big(hash) ^ 1n), sig, address],
        ['other key', hash, sig, other],
        ['flipped bit in r', hash, withR(r ^ (1n << BigInt(17 * (i + 1)))), address],
        ['flipped bit in s', hash, withS(s ^ (1n << BigInt(29 * (i + 1)))), address],
        ['r = 0', hash, withR(0n), address],
        ['s = 0', hash, withS(0n), address],
        ['r = n', hash, withR(N), address],
        ['s = n', hash, withS(N), address],
        ['r + n', hash, withR(r + N < 2n ** 256n ? r + N : 2n ** 256n - 1n), address],
        ['s = n - 1', hash, withS(N - 1n), address],
        ['all zero', hash, '0'.repeat(128), address],
      ];
      if (i === 0) {
        for (const [label, bad] of hostile(sig)) cases.push([`signature ${label}`, hash, bad, address]);
        for (const [label, bad] of hostile(hash)) cases.push([`hash ${label}`, bad, sig, address]);
        for (const [label, bad] of hostile(address)) cases.push([`address ${label}`, hash, sig, bad]);
        cases.push(['address off the curve', hash, sig, '02' + hex32(5n)], ['address prefix 04', hash, sig, '04' + address.slice(2)]);
      }
      for (const [label, hh, ss, aa] of cases) {
        add(`verifyHash key ${k}, hash ${i}: ${label}`, (c) => c.verifyHash(hh as string, ss as string, aa as string));
      }
    }
  }

  // x(R) ≥ n, through the plain verifier and, once its key has a table, through the table.
  const { q, hash, sig } = signatureAboveN();
  const qAddress = q.toHex(true);
  add('verifyHash x(R) >= n, plain', (c) => c.verifyHash(hash, sig, qAddress));
  for (let i = 1; i <= TABLE_AFTER + 1; i++) {
    const f = forged(q, BigInt(i) * 7919n, BigInt(i) * 104_729n + 1n);
    add(`verifyHash a valid signature ${i} by the key of x(R) >= n`, (c) => c.verifyHash(f.hash, f.sig, qAddress));
  }
  add('verifyHash x(R) >= n, through a key table', (c) => c.verifyHash(hash, sig, qAddress));
  add('verifyHash x(R) >= n, r = x(R)', (c) => c.verifyHash(hash, hex32(big(sig.slice(0, 64)) + N) + sig.slice(64), qAddress));
  add('verifyHash x(R) >= n, other hash', (c) => c.verifyHash(hex32(big(hash) + 1n), sig, qAddress));
  return checks;
}

type Answers = Array<[label: string, answer: string]>;

/** What a suite answers to each check, in order: the JSON of the result, or "throws". */
function answersTo(checks: readonly Check[], crypto: Crypto): Answers {
  return checks.map(([label, ask]) => {
    try {
      return [label, JSON.stringify(ask(crypto)) ?? 'undefined'];
    } catch {
      return [label, 'throws'];
    }
  });
}

const fingerprint = (answers: Answers): string => nobleCrypto.sha256Hex(JSON.stringify([VERSION, answers]));

/**
 * The fingerprint of noble's answers to these checks: a suite agrees with noble exactly when its
 * answers have this fingerprint. Recorded, because noble is slow (milliseconds a verification, a
 * noticeable pause for all its answers): a node asks noble itself only when its suite's
 * fingerprint differs, to name the checks. test/unit/crypto-vectors.test.ts recomputes it from
 * noble's answers; it changes with the checks (and VERSION).
 */
export const NOBLE_FINGERPRINT = '6fff6b0214f09a7bc05db65eda31a044ceb40eef69fb07eaf9dfed872b4090bb';

export interface VectorReport {
  /** How many checks were run. */
  readonly checks: number;
  /** SHA-256 (noble's) of the version of the checks and the suite's every answer. */
  readonly fingerprint: string;
  /** The checks on which the suite answers differently from noble, with both answers. */
  readonly disagreements: ReadonlyArray<{ label: string; answer: string; noble: string }>;
}

/**
 * Runs the checks on `crypto`, and on noble too if its fingerprint is not NOBLE_FINGERPRINT.
 * Give it a fresh suite: the checks make key tables for two keys (~0.5 MB) that a node has no
 * use for.
 */
export function runVectors(crypto: Crypto): VectorReport {
  const checks = makeChecks();
  const mine = answersTo(checks, crypto);
  const print = fingerprint(mine);
  if (print === NOBLE_FINGERPRINT) return { checks: checks.length, fingerprint: print, disagreements: [] };
  const reference = crypto === nobleCrypto ? mine : answersTo(checks, nobleCrypto);
  const disagreements = reference.map(([label, noble], i) => ({ label, answer: mine[i]![1], noble })).filter((d) => d.answer !== d.noble);
  const recorded = fingerprint(reference);
  if (recorded !== NOBLE_FINGERPRINT) {
    disagreements.unshift({
      label: 'NOBLE_FINGERPRINT in src/crypto/vectors.ts (the checks changed: record the new one)',
      answer: NOBLE_FINGERPRINT,
      noble: recorded,
    });
  }
  return { checks: checks.length, fingerprint: print, disagreements };
}

/** Every check's label and noble's answer, asked now (for the tests). */
export function nobleAnswers(): Answers {
  return answersTo(makeChecks(), nobleCrypto);
}

/** The fingerprint of noble's answers, asked now (for the tests). */
export function nobleFingerprint(): string {
  return fingerprint(nobleAnswers());
}
