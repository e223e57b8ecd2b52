/**
 * What a node's cryptography suite adds to the core's `Crypto` (src/core/crypto.ts): SHA-256
 * from node:crypto, remembered answers, key-table bookkeeping. Every suite here is a value made
 * by a function, and keeps its memos to itself: two suites share nothing but the native library.
 */
import { hash } from 'node:crypto';
import type { Crypto } from '../core/crypto.js';

export interface NodeCrypto extends Crypto {
  /** How many key tables this suite has made (a key whose table was dropped counts again). */
  keyTablesMade(): number;
  /** Makes now what the suite would otherwise make at its first busy moment (G's table, ~25 ms). */
  prepare(): void;
}

/**
 * SHA-256 as lower-case hex. Node's one-shot hash is several times faster than noble's for the
 * short inputs of the hot path (a transaction's preimage), and faster than a Hash object. A string is hashed as UTF-8, a lone surrogate as U+FFFD, as noble does
 * (src/crypto/vectors.ts checks both on such strings).
 */
export function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}

export function sha256Bytes(data: Uint8Array): Uint8Array {
  return hash('sha256', data, 'buffer');
}

/** A bounded memo of a pure function of a string: a network has few keys, each used all the time. */
export function memo<V>(limit: number, make: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = make(key);
      if (known.size >= limit) known.clear();
      known.set(key, value);
    }
    return value;
  };
}

/** A point check that remembers the addresses it found valid (a network has few, each in every transaction). */
export function rememberValid(check: (address: unknown) => boolean, limit = 100_000): (address: unknown) => address is string {
  const valid = new Set<string>();
  return (address): address is string => {
    if (typeof address === 'string' && valid.has(address)) return true;
    if (!check(address)) return false;
    if (valid.size >= limit) valid.clear();
    valid.add(address as string);
    return true;
  };
}
