import { describe, expect, it } from 'vitest';
import { signHash } from '../../src/core/crypto.js';
import { ProtocolError } from '../../src/core/errors.js';
import { checkTxShape, pickTransaction, signTransaction, txId, verifyTransaction } from '../../src/core/transaction.js';
import type { Transaction, TxBody } from '../../src/core/types.js';
import { TX_VECTORS, codeOf, key } from './fixtures.js';

const vectors = TX_VECTORS;

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const DOMAIN = 'a'.repeat(64);
const A = key(0);
const B = key(1);
const C = key(2);

/** Re-seals a modified body with a correct id and the sender's (A's) signature. */
function reseal(body: TxBody, secret = A.secret, domain = DOMAIN): Transaction {
  const id = txId(domain, body);
  return { ...body, id, signature: signHash(id, secret) };
}

const coins = (): Transaction =>
  signTransaction(DOMAIN, A.secret, { receiver: B.address, type: 'coins', amount: 950, message: '', nonce: 0 });

describe('transaction ids against the independent vectors', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(txId(v.domain, v.body)).toBe(v.id);
  });

  it('vectors include non-ASCII messages', () => {
    const messages = vectors.map((v) => v.body.message).join('');
    expect(messages).toContain('é');
    expect(messages).toContain('😀');
  });
});

describe('signTransaction / verifyTransaction', () => {
  it('round-trips for every type', () => {
    const txs = [
      coins(),
      signTransaction(DOMAIN, A.secret, { receiver: B.address, type: 'message', amount: 0, message: 'héllo 😀', nonce: 1 }),
      signTransaction(DOMAIN, A.secret, { receiver: '0', type: 'stake', amount: 1000, message: '', nonce: 2 }),
      signTransaction(DOMAIN, A.secret, { receiver: '0', type: 'stake', amount: 0, message: '', nonce: 3 }),
    ];
    for (const tx of txs) {
      expect(tx.sender).toBe(A.address);
      expect(tx.id).toBe(txId(DOMAIN, tx));
      expect(() => verifyTransaction(DOMAIN, tx)).not.toThrow();
    }
  });

  it('produces the vector id when signing the vector fields', () => {
    const v = vectors.find((x) => x.name === 'coins 9.5 BCC')!;
    expect(v.body.sender).toBe(A.address);
    const tx = signTransaction(v.domain, A.secret, { ...v.body });
    expect(tx.id).toBe(v.id);
  });

  it('returns a frozen transaction', () => {
    expect(Object.isFrozen(coins())).toBe(true);
  });

  it('a tampered field breaks the id (BAD_ID)', () => {
    const tx = coins();
    const tampered: Transaction[] = [
      { ...tx, amount: 951 },
      { ...tx, receiver: C.address },
      { ...tx, nonce: 1 },
      { ...tx, type: 'message', amount: 0, message: 'x' },
    ];
    for (const t of tampered) expect(codeOf(() => verifyTransaction(DOMAIN, t))).toBe('BAD_ID');
  });

  it('an id that is not 32 bytes of lower-case hex is BAD_ID', () => {
    const tx = coins();
    expect(codeOf(() => verifyTransaction(DOMAIN, { ...tx, id: tx.id.toUpperCase() }))).toBe('BAD_ID');
    expect(codeOf(() => verifyTransaction(DOMAIN, { ...tx, id: '' }))).toBe('BAD_ID');
  });

  it('another network (domain) rejects it as BAD_ID', () => {
    const tx = coins();
    expect(codeOf(() => verifyTransaction('b'.repeat(64), tx))).toBe('BAD_ID');
    expect(codeOf(() => verifyTransaction('', tx))).toBe('BAD_ID');
  });

  it('a signature by another key is BAD_SIGNATURE', () => {
    const tx = coins();
    expect(codeOf(() => verifyTransaction(DOMAIN, { ...tx, signature: signHash(tx.id, B.secret) }))).toBe('BAD_SIGNATURE');
  });

  it('a re-hashed transaction signed by someone else than its sender is BAD_SIGNATURE', () => {
    const tx = reseal({ sender: A.address, receiver: B.address, type: 'coins', amount: 5, message: '', nonce: 0 }, C.secret);
    expect(codeOf(() => verifyTransaction(DOMAIN, tx))).toBe('BAD_SIGNATURE');
  });

  it('a high-S signature (s replaced by n − s) is BAD_SIGNATURE', () => {
    const tx = coins();
    const s = BigInt('0x' + tx.signature.slice(64));
    const high = tx.signature.slice(0, 64) + (N - s).toString(16).padStart(64, '0');
    expect(codeOf(() => verifyTransaction(DOMAIN, { ...tx, signature: high }))).toBe('BAD_SIGNATURE');
  });

  it('missing or garbage signatures are BAD_SIGNATURE', () => {
    const tx = coins();
    for (const signature of ['', '00'.repeat(64), 'zz'.repeat(64), tx.signature.slice(2), tx.signature.toUpperCase()]) {
      expect(codeOf(() => verifyTransaction(DOMAIN, { ...tx, signature }))).toBe('BAD_SIGNATURE');
    }
  });

  it('pickTransaction drops foreign fields', () => {
    const tx = coins();
    const extra = { ...tx, evil: 1 } as Transaction;
    expect(Object.keys(pickTransaction(extra)).sort()).toEqual([
      'amount',
      'id',
      'message',
      'nonce',
      'receiver',
      'sender',
      'signature',
      'type',
    ]);
  });
});

describe('malformed transactions', () => {
  const base: TxBody = { sender: A.address, receiver: B.address, type: 'coins', amount: 100, message: '', nonce: 0 };
  const cases: Array<[string, Partial<Record<keyof TxBody, unknown>>, string]> = [
    ['unknown type', { type: 'gift' }, 'MALFORMED'],
    ['type missing', { type: undefined }, 'MALFORMED'],
    ['negative amount', { amount: -1 }, 'MALFORMED'],
    ['fractional amount', { amount: 1.5 }, 'MALFORMED'],
    ['unsafe amount', { amount: 2 ** 53 }, 'MALFORMED'],
    ['NaN amount', { amount: Number.NaN }, 'MALFORMED'],
    ['string amount', { amount: '100' }, 'MALFORMED'],
    ['negative nonce', { nonce: -1 }, 'MALFORMED'],
    ['fractional nonce', { nonce: 0.5 }, 'MALFORMED'],
    ['unsafe nonce', { nonce: Number.MAX_SAFE_INTEGER + 1 }, 'MALFORMED'],
    ['coins with amount 0', { amount: 0 }, 'MALFORMED'],
    ['coins with a message', { message: 'hi' }, 'MALFORMED'],
    ['message with amount > 0', { type: 'message', amount: 1, message: 'hi' }, 'MALFORMED'],
    ['empty message', { type: 'message', amount: 0, message: '' }, 'MALFORMED'],
    ['1025-char message', { type: 'message', amount: 0, message: 'x'.repeat(1025) }, 'MALFORMED'],
    ['1025 emoji message', { type: 'message', amount: 0, message: '😀'.repeat(1025) }, 'MALFORMED'],
    ['non-string message', { type: 'message', amount: 0, message: 5 }, 'MALFORMED'],
    ['a lone high surrogate', { type: 'message', amount: 0, message: '\uD800' }, 'MALFORMED'],
    ['a lone low surrogate between letters', { type: 'message', amount: 0, message: 'a\uDC00b' }, 'MALFORMED'],
    ['a low surrogate before a high one', { type: 'message', amount: 0, message: '\uDC00\uD800' }, 'MALFORMED'],
    ['an emoji cut in half at the end', { type: 'message', amount: 0, message: 'ok 😀'.slice(0, -1) }, 'MALFORMED'],
    ['stake with a receiver', { type: 'stake', receiver: B.address }, 'MALFORMED'],
    ['stake with a message', { type: 'stake', receiver: '0', message: 'x' }, 'MALFORMED'],
    ['coins to "0"', { receiver: '0' }, 'MALFORMED'],
    ['message to "0"', { type: 'message', amount: 0, message: 'x', receiver: '0' }, 'MALFORMED'],
    ['sender "0"', { sender: '0' }, 'MALFORMED'],
    ['sender off the curve', { sender: '02' + '0'.repeat(63) + '5' }, 'MALFORMED'],
    ['sender with bad prefix', { sender: '04' + A.address.slice(2) }, 'MALFORMED'],
    ['sender in upper case', { sender: A.address.toUpperCase() }, 'MALFORMED'],
    ['receiver off the curve', { receiver: '03' + '0'.repeat(63) + '5' }, 'MALFORMED'],
    ['receiver too short', { receiver: B.address.slice(4) }, 'MALFORMED'],
    ['coins to self', { receiver: A.address }, 'SELF_TRANSFER'],
    ['message to self', { type: 'message', amount: 0, message: 'me', receiver: A.address }, 'SELF_TRANSFER'],
  ];

  it.each(cases)('%s → %s', (_name, over, code) => {
    const body = { ...base, ...over } as TxBody;
    expect(codeOf(() => checkTxShape(body))).toBe(code);
    // the same code from verifyTransaction, even with a well-formed id and signature
    let sealed: Transaction;
    try {
      sealed = reseal(body);
    } catch {
      sealed = { ...body, id: '0'.repeat(64), signature: '0'.repeat(128) };
    }
    expect(codeOf(() => verifyTransaction(DOMAIN, sealed))).toBe(code);
    // and signTransaction refuses to sign it
    const { sender: _sender, ...fields } = body;
    if (body.sender === A.address) expect(codeOf(() => signTransaction(DOMAIN, A.secret, fields))).toBe(code);
  });

  it('accepts the limits: a 1024-char message, 1-unit coins, max safe amount and nonce', () => {
    const ok: TxBody[] = [
      { ...base, type: 'message', amount: 0, message: '😀'.repeat(1024) },
      { ...base, type: 'message', amount: 0, message: 'é' },
      { ...base, amount: 1 },
      { ...base, amount: Number.MAX_SAFE_INTEGER, nonce: Number.MAX_SAFE_INTEGER },
      { ...base, type: 'stake', receiver: '0', amount: 0 },
    ];
    for (const body of ok) expect(() => checkTxShape(body)).not.toThrow();
  });

  it('a transaction that is not an object is MALFORMED, even a function carrying every field', () => {
    expect(codeOf(() => checkTxShape(null as unknown as TxBody))).toBe('MALFORMED');
    expect(codeOf(() => checkTxShape('coins' as unknown as TxBody))).toBe('MALFORMED');
    const disguised = Object.assign(() => undefined, base) as unknown as TxBody;
    expect(disguised.type).toBe('coins');
    expect(codeOf(() => checkTxShape(disguised))).toBe('MALFORMED');
  });

  it('throws ProtocolError instances with a readable message', () => {
    try {
      checkTxShape({ ...base, amount: -1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).message.length).toBeGreaterThan(5);
    }
  });
});
