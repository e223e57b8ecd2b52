import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockPreimage, canon, txPreimage } from '../../src/core/encoding.js';
import type { TxBody } from '../../src/core/types.js';
import { BLOCK_VECTORS, TX_VECTORS } from './fixtures.js';

const txVectors = TX_VECTORS;
const blockVectors = BLOCK_VECTORS.cases;
const utf8 = new TextEncoder();
const decode = (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(b);

describe('canon', () => {
  it('is JSON.stringify of the array, without spaces, as UTF-8', () => {
    expect(decode(canon(['a', 1, ['b', 2]]))).toBe('["a",1,["b",2]]');
    expect(decode(canon([]))).toBe('[]');
  });

  it('keeps non-ASCII characters as raw UTF-8 bytes, not \\u escapes', () => {
    expect([...canon(['é'])]).toEqual([0x5b, 0x22, 0xc3, 0xa9, 0x22, 0x5d]);
    expect([...canon(['😀'])]).toEqual([0x5b, 0x22, 0xf0, 0x9f, 0x98, 0x80, 0x22, 0x5d]);
  });

  it('escapes quotes, backslashes and control characters as JSON does', () => {
    expect(decode(canon(['"\\\n\u0001']))).toBe('["\\"\\\\\\n\\u0001"]');
  });

  it('separates fields, so moving characters between fields changes the encoding', () => {
    expect(decode(canon(['ab', 'c']))).not.toBe(decode(canon(['a', 'bc'])));
    expect(decode(canon(['1', 2]))).not.toBe(decode(canon([1, '2'])));
  });

  it('is injective on pairs of arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), fc.string(), fc.string(), (a, b, c, d) => {
        const same = a === c && b === d;
        const enc1 = Buffer.from(canon([a, b]));
        const enc2 = Buffer.from(canon([c, d]));
        return same === enc1.equals(enc2);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the UTF-8 of JSON.stringify for arbitrary strings and safe integers', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.maxSafeNat(), (s, n) => {
        expect(Buffer.from(canon([s, n])).equals(Buffer.from(utf8.encode(JSON.stringify([s, n]))))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('preimages against the independent vectors', () => {
  it.each(txVectors.map((v) => [v.name, v] as const))('transaction preimage: %s', (_name, v) => {
    expect(decode(txPreimage(v.domain, v.body))).toBe(v.canon);
  });

  it.each(blockVectors.map((v) => [v.name, v] as const))('block preimage: %s', (_name, v) => {
    expect(decode(blockPreimage(v.index, v.timestamp, v.validator, v.previous_hash, v.tx_ids))).toBe(v.canon);
  });

  it('orders the transaction preimage [domain, sender, receiver, type, amount, message, nonce]', () => {
    const body: TxBody = { sender: 's', receiver: 'r', type: 'coins', amount: 5, message: 'm', nonce: 7 };
    expect(decode(txPreimage('d', body))).toBe('["d","s","r","coins",5,"m",7]');
  });

  it('ignores extra fields on the body (id, signature are not part of the preimage)', () => {
    const body = { sender: 's', receiver: 'r', type: 'coins' as const, amount: 5, message: '', nonce: 0 };
    const withExtra = { ...body, id: 'x', signature: 'y' };
    expect(decode(txPreimage('d', withExtra))).toBe(decode(txPreimage('d', body)));
  });
});
