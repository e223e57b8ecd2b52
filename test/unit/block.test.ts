import { describe, expect, it } from 'vitest';
import { blockHash, checkGenesis, genesisBlock, signBlock, verifyBlockSeal } from '../../src/core/block.js';
import { signHash } from '../../src/core/crypto.js';
import { signTransaction, txId } from '../../src/core/transaction.js';
import type { Block, Transaction } from '../../src/core/types.js';
import { BLOCK_VECTORS, codeOf, key } from './fixtures.js';

const vectors = BLOCK_VECTORS;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('block hashes against the independent vectors', () => {
  it.each(vectors.cases.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const txs = v.tx_ids.map((id) => ({ id }));
    expect(blockHash(v.index, v.timestamp, v.validator, v.previous_hash, txs)).toBe(v.current_hash);
  });

  it('the order of the transactions matters', () => {
    const [a, b] = vectors.cases.filter((v) => v.name.startsWith('block 2, five tx'));
    expect(a!.current_hash).not.toBe(b!.current_hash);
  });
});

describe('genesis', () => {
  const g = vectors.genesis;
  const genesis = genesisBlock(g.bootstrap, g.n, g.timestamp);

  it('matches the vector: index 0, previous "1", validator "0", no signature, one funding transaction', () => {
    expect(genesis.index).toBe(0);
    expect(genesis.previous_hash).toBe('1');
    expect(genesis.validator).toBe('0');
    expect(genesis.signature).toBe('');
    expect(genesis.transactions).toHaveLength(1);
    const tx = genesis.transactions[0]!;
    expect(tx).toMatchObject({
      sender: '0',
      receiver: g.bootstrap,
      type: 'coins',
      amount: g.n * 1000 * 100,
      message: '',
      nonce: 0,
      signature: '',
    });
    expect(tx.id).toBe(g.tx_id);
    expect(genesis.current_hash).toBe(g.current_hash);
  });

  it('checkGenesis accepts it and returns the bootstrap', () => {
    expect(checkGenesis(genesis, g.n)).toBe(g.bootstrap);
  });

  const tx0 = genesis.transactions[0]!;
  const retx = (over: Partial<Transaction>): Transaction => {
    const t = { ...tx0, ...over };
    return { ...t, id: txId('', t) };
  };
  const rehash = (b: Omit<Block, 'current_hash'>): Block => ({
    ...b,
    current_hash: blockHash(b.index, b.timestamp, b.validator, b.previous_hash, b.transactions),
  });

  const tampered: Array<[string, Block]> = [
    ['index 1', { ...genesis, index: 1 }],
    ['index 1, rehashed', rehash({ ...genesis, index: 1 })],
    ['previous hash', rehash({ ...genesis, previous_hash: '0' })],
    ['validator', rehash({ ...genesis, validator: key(0).address })],
    ['timestamp without rehash', { ...genesis, timestamp: genesis.timestamp + 1 }],
    ['negative timestamp', rehash({ ...genesis, timestamp: -1 })],
    ['hash', { ...genesis, current_hash: 'f'.repeat(64) }],
    ['amount', rehash({ ...genesis, transactions: [retx({ amount: tx0.amount + 1 })] })],
    ['amount of a 6-node network', rehash({ ...genesis, transactions: [retx({ amount: 600_000 })] })],
    ['sender', rehash({ ...genesis, transactions: [retx({ sender: key(1).address })] })],
    ['type', rehash({ ...genesis, transactions: [retx({ type: 'stake' })] })],
    ['message', rehash({ ...genesis, transactions: [retx({ message: 'hi' })] })],
    ['nonce', rehash({ ...genesis, transactions: [retx({ nonce: 1 })] })],
    ['id', rehash({ ...genesis, transactions: [{ ...tx0, id: 'a'.repeat(64) }] })],
    ['no transaction', rehash({ ...genesis, transactions: [] })],
    ['two transactions', rehash({ ...genesis, transactions: [tx0, retx({ receiver: key(1).address })] })],
    ['a block signature', { ...genesis, signature: signHash(genesis.current_hash, key(0).secret) }],
    ['a transaction signature', rehash({ ...genesis, transactions: [{ ...tx0, signature: signHash(tx0.id, key(0).secret) }] })],
    ['a bootstrap that is not an address', genesisBlock('not-an-address', g.n, g.timestamp)],
    ['a bootstrap "0"', genesisBlock('0', g.n, g.timestamp)],
  ];
  it.each(tampered)('tampered genesis (%s) is BAD_GENESIS', (_name, block) => {
    expect(codeOf(() => checkGenesis(block, g.n))).toBe('BAD_GENESIS');
  });

  it('a genesis of another network size is BAD_GENESIS', () => {
    expect(codeOf(() => checkGenesis(genesis, g.n + 1))).toBe('BAD_GENESIS');
  });

  // The block hash commits to the header and the transaction ids only, so a genesis can keep
  // the right hash while a header field, a transaction field or the id itself lies: each field
  // must be checked on its own.
  const lying: Array<[string, Block]> = [
    ['previous hash', { ...genesis, previous_hash: '0' }],
    ['validator', { ...genesis, validator: key(0).address }],
    ['sender', { ...genesis, transactions: [{ ...tx0, sender: key(1).address }] }],
    ['type', { ...genesis, transactions: [{ ...tx0, type: 'stake' }] }],
    ['amount', { ...genesis, transactions: [{ ...tx0, amount: tx0.amount + 1 }] }],
    ['message', { ...genesis, transactions: [{ ...tx0, message: 'hi' }] }],
    ['nonce', { ...genesis, transactions: [{ ...tx0, nonce: 1 }] }],
    ['id', { ...genesis, transactions: [{ ...tx0, id: 'a'.repeat(64) }] }],
  ];
  it.each(lying)('a genesis with the right hash but a lying %s is BAD_GENESIS', (_name, block) => {
    expect(block.current_hash).toBe(genesis.current_hash);
    expect(codeOf(() => checkGenesis(block, g.n))).toBe('BAD_GENESIS');
  });

  it('accepts a genesis stamped at time 0', () => {
    expect(checkGenesis(genesisBlock(g.bootstrap, g.n, 0), g.n)).toBe(g.bootstrap);
  });
});

describe('signBlock / verifyBlockSeal', () => {
  const genesis = genesisBlock(key(0).address, 3, 1_000);
  const domain = genesis.current_hash;
  const txs = [
    signTransaction(domain, key(0).secret, { receiver: key(1).address, type: 'coins', amount: 100, message: '', nonce: 0 }),
    signTransaction(domain, key(0).secret, { receiver: key(2).address, type: 'message', amount: 0, message: 'é😀', nonce: 1 }),
  ];
  const block = signBlock(genesis, txs, 2_000, key(0).secret);

  it('links to the previous block with the next index and a correct hash and signature', () => {
    expect(block.index).toBe(1);
    expect(block.previous_hash).toBe(genesis.current_hash);
    expect(block.validator).toBe(key(0).address);
    expect(block.current_hash).toBe(blockHash(1, 2_000, key(0).address, genesis.current_hash, txs));
    expect(Object.isFrozen(block)).toBe(true);
    expect(() => verifyBlockSeal(block)).not.toThrow();
  });

  it('any tampered header field or transaction list is BAD_HASH', () => {
    const bad: Block[] = [
      { ...block, timestamp: block.timestamp + 1 },
      { ...block, index: 2 },
      { ...block, previous_hash: 'e'.repeat(64) },
      { ...block, transactions: [txs[1]!, txs[0]!] },
      { ...block, transactions: [txs[0]!] },
      { ...block, current_hash: block.current_hash.toUpperCase() },
      { ...block, current_hash: '' },
    ];
    for (const b of bad) expect(codeOf(() => verifyBlockSeal(b))).toBe('BAD_HASH');
  });

  it('a block claiming a validator whose key did not sign it is BAD_SIGNATURE', () => {
    const forged = signBlock(genesis, txs, 2_000, key(1).secret); // hash over key(1) as validator
    expect(() => verifyBlockSeal(forged)).not.toThrow();
    const claimed: Block = { ...block, signature: signHash(block.current_hash, key(1).secret) };
    expect(codeOf(() => verifyBlockSeal(claimed))).toBe('BAD_SIGNATURE');
    // claiming another validator with the original signature changes the hash
    expect(codeOf(() => verifyBlockSeal({ ...block, validator: key(1).address }))).toBe('BAD_HASH');
  });

  it('a high-S or missing block signature is BAD_SIGNATURE', () => {
    const s = BigInt('0x' + block.signature.slice(64));
    const high = block.signature.slice(0, 64) + (N - s).toString(16).padStart(64, '0');
    expect(codeOf(() => verifyBlockSeal({ ...block, signature: high }))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyBlockSeal({ ...block, signature: '' }))).toBe('BAD_SIGNATURE');
  });
});
