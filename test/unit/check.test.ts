import { describe, expect, it } from 'vitest';
import { schemaError } from '../../src/api/check.js';
import { peerBlockSchema, peerTransactionsSchema, transactionSchema } from '../../src/api/schemas.js';

const tx = {
  sender: '02' + 'a'.repeat(64),
  receiver: '03' + 'b'.repeat(64),
  type: 'coins',
  amount: 5,
  message: '',
  nonce: 0,
  id: 'c'.repeat(64),
  signature: 'd'.repeat(128),
};

describe('schemaError (the peer stream checks frames against the REST schemas)', () => {
  it('accepts a well-formed transaction, batch and block', () => {
    expect(schemaError(transactionSchema, tx)).toBeUndefined();
    expect(schemaError(peerTransactionsSchema, [tx, tx])).toBeUndefined();
    const block = {
      index: 1,
      timestamp: 2,
      transactions: [tx],
      validator: tx.sender,
      previous_hash: 'e'.repeat(64),
      current_hash: 'f'.repeat(64),
      signature: 'd'.repeat(128),
    };
    expect(schemaError(peerBlockSchema, block)).toBeUndefined();
  });

  it('refuses what the REST routes refuse', () => {
    expect(schemaError(transactionSchema, { ...tx, extra: 1 })).toMatch(/unknown property "extra"/);
    expect(schemaError(transactionSchema, JSON.parse(`{"__proto__":{},${JSON.stringify(tx).slice(1)}`))).toMatch(/unknown property/);
    const { nonce: _n, ...noNonce } = tx;
    expect(schemaError(transactionSchema, noNonce)).toMatch(/nonce/);
    expect(schemaError(transactionSchema, { ...tx, amount: '5' })).toMatch(/amount must be an integer/);
    expect(schemaError(transactionSchema, { ...tx, amount: 1.5 })).toMatch(/integer/);
    expect(schemaError(transactionSchema, { ...tx, amount: -1 })).toMatch(/>= 0/);
    expect(schemaError(transactionSchema, { ...tx, type: 'gift' })).toMatch(/one of/);
    expect(schemaError(transactionSchema, { ...tx, id: 'c'.repeat(65) })).toMatch(/at most 64/);
    expect(schemaError(transactionSchema, [tx])).toMatch(/object/);
    expect(schemaError(transactionSchema, null)).toMatch(/object/);
    expect(schemaError(peerTransactionsSchema, tx)).toMatch(/array/);
    expect(
      schemaError(
        peerTransactionsSchema,
        Array.from({ length: 1001 }, () => tx),
      ),
    ).toMatch(/at most 1000/);
    expect(schemaError(peerTransactionsSchema, [tx, { sender: 5 }])).toMatch(/^\/1/);
  });
});
