/**
 * The API's schemas and their one validator (src/api/validate.ts): the peer stream's frames and
 * the REST bodies are checked by the same compiled functions; failures are told in words, never
 * with a pattern; and ajv measures a message as the core does (code points).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS } from '../../src/core/params.js';
import { codePoints } from '../../src/core/fees.js';
import { API } from '../../src/api/routes.js';
import { Block, MessageText, PeerBlock, PeerTransactions, SubmitRequest, Transaction } from '../../src/api/schemas.js';
import { compileSchema, describeErrors, schemaCheck } from '../../src/api/validate.js';

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
const block = {
  index: 1,
  timestamp: 2,
  transactions: [tx],
  validator: tx.sender,
  previous_hash: 'e'.repeat(64),
  current_hash: 'f'.repeat(64),
  signature: 'd'.repeat(128),
};
const genesis = {
  index: 0,
  timestamp: 2,
  transactions: [{ ...tx, sender: '0', signature: '' }],
  validator: '0',
  previous_hash: '1',
  current_hash: 'f'.repeat(64),
  signature: '',
};

const checkTx = schemaCheck(Transaction);
const checkBlock = schemaCheck(Block);
const checkBatch = schemaCheck(PeerTransactions);

describe('one validator for REST and the peer stream', () => {
  it('the routes of the peer data use the very schema objects the stream checks frames with, compiled once', () => {
    expect(API.peerTransactions.schema.body).toBe(PeerTransactions);
    expect(API.peerBlocks.schema.body).toBe(PeerBlock);
    expect(compileSchema(PeerBlock)).toBe(compileSchema(PeerBlock));
  });

  it('accepts a well-formed transaction, batch, block and genesis', () => {
    expect(checkTx(tx)).toBeUndefined();
    expect(checkBatch([tx, tx])).toBeUndefined();
    expect(checkBlock(block)).toBeUndefined();
    expect(checkBlock(genesis)).toBeUndefined();
  });

  it('refuses, in words that name the field and never show a pattern', () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [checkTx({ ...tx, extra: 1 }), /^the body has an unknown field "extra"$/],
      [checkTx(JSON.parse(`{"__proto__":{},${JSON.stringify(tx).slice(1)}`)), /unknown field "__proto__"/],
      [checkTx({ ...tx, amount: '5' }), /^body field "amount" must be an integer$/],
      [checkTx({ ...tx, amount: -1 }), /"amount" must be at least 0/],
      [checkTx({ ...tx, type: 'gift' }), /"type" must be one of "coins", "message", "stake"/],
      [checkTx({ ...tx, id: 'c'.repeat(65) }), /"id" must be a hash: 64 lower-case hex characters/],
      [checkTx({ ...tx, sender: tx.sender.toUpperCase() }), /"sender" must be the sender address: 66 lower-case hex/],
      [checkTx([tx]), /^the body must be an object$/],
      [checkBatch(tx), /^the body must be an array$/],
      [checkBatch(Array.from({ length: 1001 }, () => tx)), /at most 1000 items/],
      [checkBatch([tx, { ...tx, nonce: 1.5 }]), /^body field "\[1\]\.nonce" must be an integer$/],
      [
        checkBlock({ ...block, transactions: [{ ...tx, signature: 'D'.repeat(128) }] }),
        /"transactions\[0\]\.signature" must be the signature/,
      ],
      [schemaCheck(SubmitRequest)({ type: 'coins', to: { id: 2 } }, 'body'), /"to" must be a node id \(3, "3", "id3"\) or an address/],
      [schemaCheck(API.blocks.schema.querystring)({ limit: 'x' }, 'querystring'), /^query field "limit" must be/],
    ];
    for (const [reason, want] of cases) {
      expect(reason).toMatch(want);
      expect(reason).not.toMatch(/\^|\$|\[0-9|\{\d+\}|must match|pattern/);
    }
  });

  it('words every keyword the schemas use (no fallback text)', () => {
    const keywords = new Set<string>();
    const walk = (s: unknown): void => {
      if (Array.isArray(s)) return s.forEach(walk);
      if (typeof s !== 'object' || s === null) return;
      for (const [k, v] of Object.entries(s)) {
        if (!['properties', 'description', 'required', 'items'].includes(k)) keywords.add(k);
        if (k === 'properties') Object.values(v as object).forEach(walk);
        else walk(v);
      }
    };
    const parts = Object.values(API).flatMap((r): unknown[] => {
      const { response, ...request } = r.schema as { response: Record<string, unknown> };
      return [...Object.values<unknown>(request), ...Object.values(response)];
    });
    walk(parts);
    expect(keywords.size).toBeGreaterThan(5);
    for (const k of keywords) {
      expect([
        'type',
        'additionalProperties',
        'enum',
        'const',
        'minimum',
        'maximum',
        'minLength',
        'maxLength',
        'pattern',
        'minItems',
        'maxItems',
        'anyOf',
      ]).toContain(k);
    }
    expect(describeErrors([], 'body')).toBe('the body is not valid');
  });
});

describe('the length of a message: ajv counts code points, as the core does', () => {
  it('maxLength n accepts exactly the strings of at most n code points', () => {
    const upTo = Array.from({ length: 15 }, (_, n) => compileSchema({ type: 'string', maxLength: n }));
    const samples = ['', 'a', '😀', 'é', 'e\u0301', '\uD800', '\uDC00\uD800', 'a😀b', '👨‍👩‍👧', '\u{10FFFF}x'];
    const arb = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom(...samples),
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 14 }), (text, n) => {
        const fits = upTo[n]!(text);
        expect(fits).toBe(codePoints(text) <= n);
      }),
      { numRuns: 500 },
    );
  });

  it('the schema bound (twice the protocol limit) never refuses a text the core accepts', () => {
    const validate = compileSchema(MessageText);
    expect(validate('😀'.repeat(MAX_MESSAGE_CHARS))).toBe(true); // 2048 UTF-16 units
    expect(validate('😀'.repeat(2 * MAX_MESSAGE_CHARS))).toBe(true);
    expect(validate('😀'.repeat(2 * MAX_MESSAGE_CHARS + 1))).toBe(false);
  });
});
