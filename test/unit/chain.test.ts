import { beforeAll, describe, expect, it } from 'vitest';
import { blockHash, genesisBlock, signBlock } from '../../src/core/block.js';
import { applyBlock, genesisTip, nextValidator, roundFor, validateChain, validatorsOfRounds, type ChainTip } from '../../src/core/chain.js';
import { signHash } from '../../src/core/crypto.js';
import { validatorsByRound } from '../../src/core/lottery.js';
import { ROUND_MS, type NetworkParams } from '../../src/core/params.js';
import { accountOf, stakersOf, supplyOf, type Ledger } from '../../src/core/state.js';
import { signTransaction, verifyTransaction } from '../../src/core/transaction.js';
import type { Account, Block, Transaction } from '../../src/core/types.js';
import { codeOf, key, protocolError, type KeyPair } from './fixtures.js';

const N_NODES = 3;
const CAPACITY = 3;
const KEYS3 = [key(0), key(1), key(2)];
const OUTSIDER = key(3);
const T0 = 1_700_000_000_000;

const genesis = genesisBlock(KEYS3[0]!.address, N_NODES, T0);
const { params, tip: genesisTipValue } = genesisTip(genesis, N_NODES, CAPACITY);
const DOMAIN = params.domain;
const SUPPLY = N_NODES * 1000 * 100;

/** Per-sender nonce counter for building transactions. */
const nonces = new Map<string, number>();
function tx(from: KeyPair, fields: Omit<Transaction, 'sender' | 'id' | 'signature' | 'nonce'>, nonce?: number): Transaction {
  const n = nonce ?? nonces.get(from.address) ?? 0;
  if (nonce === undefined) nonces.set(from.address, n + 1);
  return signTransaction(DOMAIN, from.secret, { ...fields, nonce: n });
}
const coins = (from: KeyPair, to: KeyPair, amount: number, nonce?: number): Transaction =>
  tx(from, { receiver: to.address, type: 'coins', amount, message: '' }, nonce);
const stake = (from: KeyPair, amount: number, nonce?: number): Transaction =>
  tx(from, { receiver: '0', type: 'stake', amount, message: '' }, nonce);
const message = (from: KeyPair, to: KeyPair, text: string, nonce?: number): Transaction =>
  tx(from, { receiver: to.address, type: 'message', amount: 0, message: text }, nonce);

function keyOf(address: string): KeyPair {
  const k = [...KEYS3, OUTSIDER].find((x) => x.address === address);
  if (!k) throw new Error(`no key for ${address}`);
  return k;
}

/** Signs a block of `txs` on `tip` by the validator the lottery names, applies it and returns the new tip. */
function mint(p: NetworkParams, tip: ChainTip, txs: Transaction[], ts: number): ChainTip {
  const v = keyOf(nextValidator(p, tip));
  return applyBlock(p, tip, signBlock(tip.block, txs, ts, v.secret));
}

function snapshot(ledger: Ledger): Array<[string, Account]> {
  return [...ledger.entries()].map(([a, acc]) => [a, { ...acc }]);
}

// The chain: genesis, funding, stakes, then traffic. Built once.
const blocks: Block[] = [genesis];
const tips: ChainTip[] = [genesisTipValue];
let tip: ChainTip = genesisTipValue;

beforeAll(() => {
  const A = KEYS3[0]!;
  const B = KEYS3[1]!;
  const C = KEYS3[2]!;
  const plan: Transaction[][] = [
    [coins(A, B, 100_000), coins(A, C, 100_000), stake(A, 1000)],
    [stake(B, 1000), stake(C, 1000)],
    [coins(B, C, 950), message(C, A, 'héllo 😀')],
    [coins(C, B, 34), coins(A, B, 1)],
    [message(A, B, 'x'), message(B, C, 'y'), message(C, A, 'z')],
    [stake(A, 2000)],
    [coins(B, A, 500), coins(C, A, 500)],
    [coins(A, C, 5_000)],
    [stake(B, 1500), message(A, C, 'ok')],
  ];
  plan.forEach((txs, i) => {
    tip = mint(params, tip, txs, T0 + 1000 * (i + 1));
    blocks.push(tip.block);
    tips.push(tip);
  });
});

describe('genesisTip', () => {
  it('derives the parameters and the initial ledger from the genesis', () => {
    expect(params).toEqual({ n: N_NODES, capacity: CAPACITY, bootstrap: KEYS3[0]!.address, domain: genesis.current_hash });
    expect(accountOf(genesisTipValue.ledger, KEYS3[0]!.address)).toEqual({ balance: SUPPLY, stake: 0, nonce: 0 });
  });

  it('the bootstrap is the validator while nobody stakes', () => {
    expect(nextValidator(params, genesisTipValue)).toBe(KEYS3[0]!.address);
  });
});

describe('a chain of real signed blocks', () => {
  it('has every block from the validator the lottery named, and the validator varies', () => {
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i]!.validator).toBe(nextValidator(params, tips[i - 1]!));
    }
    const validators = new Set(blocks.slice(3).map((b) => b.validator));
    expect(validators.size).toBeGreaterThanOrEqual(2);
    expect(stakersOf(tip.ledger)).toHaveLength(3);
  });

  it('conserves the supply and credits every fee to the validator', () => {
    for (const t of tips) expect(supplyOf(t.ledger)).toBe(SUPPLY);
    // block 3: coins B → C 950 (fee 29) and C → A a 7-code-point message (700), by the validator v
    const before = tips[2]!.ledger;
    const after = tips[3]!.ledger;
    const v = blocks[3]!.validator;
    const [A, B, C] = KEYS3.map((k) => k.address) as [string, string, string];
    const base = new Map([
      [A, 0],
      [B, -950 - 29],
      [C, 950 - 700],
    ]);
    for (const [address, change] of base) {
      const delta = accountOf(after, address).balance - accountOf(before, address).balance;
      expect(delta).toBe(change + (address === v ? 29 + 700 : 0));
    }
  });

  it('validateChain returns the right tip and parameters', () => {
    const { params: p, tip: t } = validateChain(blocks, N_NODES, CAPACITY);
    expect(p).toEqual(params);
    expect(t.block.current_hash).toBe(tip.block.current_hash);
    expect(t.block.index).toBe(blocks.length - 1);
    expect(snapshot(t.ledger)).toEqual(snapshot(tip.ledger));
  });

  it('validateChain uses the injected transaction verifier once per transaction', () => {
    let calls = 0;
    validateChain(blocks, N_NODES, CAPACITY, (d, t) => {
      calls++;
      verifyTransaction(d, t);
    });
    expect(calls).toBe(blocks.slice(1).reduce((s, b) => s + b.transactions.length, 0));
  });

  it('validateChain rejects an empty chain, a wrong network size and a tampered block', () => {
    expect(codeOf(() => validateChain([], N_NODES, CAPACITY))).toBe('BAD_GENESIS');
    expect(codeOf(() => validateChain(blocks, N_NODES + 1, CAPACITY))).toBe('BAD_GENESIS');
    const bad = [...blocks];
    bad[4] = { ...bad[4]!, timestamp: bad[4]!.timestamp + 1 };
    expect(codeOf(() => validateChain(bad, N_NODES, CAPACITY))).toBe('BAD_HASH');
    const swapped = [...blocks];
    [swapped[4], swapped[5]] = [swapped[5]!, swapped[4]!];
    expect(codeOf(() => validateChain(swapped, N_NODES, CAPACITY))).toBe('BAD_INDEX');
  });
});

describe('applyBlock rejects', () => {
  const A = KEYS3[0]!;
  const B = KEYS3[1]!;
  let chosen: KeyPair;
  let other: KeyPair;
  let good: Transaction;
  let before: { hash: string; ledger: Array<[string, Account]> };

  beforeAll(() => {
    chosen = keyOf(nextValidator(params, tip));
    other = KEYS3.find((k) => k.address !== chosen.address)!;
    good = coins(B, A, 100, accountOf(tip.ledger, B.address).nonce);
    before = { hash: tip.block.current_hash, ledger: snapshot(tip.ledger) };
  });

  /** The code of applyBlock on the tip, checking the tip is unchanged afterwards. */
  function rejectCode(block: Block): string {
    const err = protocolError(() => applyBlock(params, tip, block));
    expect(tip.block.current_hash).toBe(before.hash);
    expect(snapshot(tip.ledger)).toEqual(before.ledger);
    return err.cause_code ? `${err.code}/${err.cause_code}` : err.code;
  }

  it('accepts the good block (control)', () => {
    const next = applyBlock(params, tip, signBlock(tip.block, [good], T0 + 99_000, chosen.secret));
    expect(next.block.index).toBe(tip.block.index + 1);
    expect(accountOf(next.ledger, B.address).nonce).toBe(accountOf(tip.ledger, B.address).nonce + 1);
  });

  it('BAD_INDEX for a block that skips an index or repeats the tip', () => {
    const skip = signBlock({ index: tip.block.index + 1, current_hash: tip.block.current_hash }, [good], T0 + 99_000, chosen.secret);
    expect(rejectCode(skip)).toBe('BAD_INDEX');
    expect(rejectCode(tip.block)).toBe('BAD_INDEX');
    expect(rejectCode({ ...signBlock(tip.block, [good], T0 + 99_000, chosen.secret), index: -1 })).toBe('BAD_INDEX');
  });

  it('BAD_PREVIOUS_HASH for a block that does not link to the tip', () => {
    const fork = signBlock({ index: tip.block.index, current_hash: 'ab'.repeat(32) }, [good], T0 + 99_000, chosen.secret);
    expect(rejectCode(fork)).toBe('BAD_PREVIOUS_HASH');
  });

  it('WRONG_VALIDATOR for a block signed by an outsider, who wins no round', () => {
    expect(rejectCode(signBlock(tip.block, [good], T0 + 99_000, OUTSIDER.secret))).toBe('WRONG_VALIDATOR');
  });

  it('TOO_EARLY for a staker the lottery names only in a later round, stamped before that round opens; valid from then on', () => {
    const round = roundFor(params, tip, other.address);
    expect(round).toBeGreaterThan(0);
    const opens = tip.block.timestamp + round * ROUND_MS;
    expect(rejectCode(signBlock(tip.block, [good], opens - 1, other.secret))).toBe('TOO_EARLY');
    expect(rejectCode(signBlock(tip.block, [good], tip.block.timestamp, other.secret))).toBe('TOO_EARLY');
    const next = applyBlock(params, tip, signBlock(tip.block, [good], opens, other.secret));
    expect(next.round).toBe(round);
    expect(next.block.validator).toBe(other.address);
  });

  it("TOO_EARLY for a block of round 0 stamped before its parent; one stamped with its parent's time is valid", () => {
    expect(rejectCode(signBlock(tip.block, [good], tip.block.timestamp - 1, chosen.secret))).toBe('TOO_EARLY');
    expect(rejectCode(signBlock(tip.block, [good], 0, chosen.secret))).toBe('TOO_EARLY');
    const next = applyBlock(params, tip, signBlock(tip.block, [good], tip.block.timestamp, chosen.secret));
    expect(next.round).toBe(0);
  });

  it('BAD_HASH for a tampered timestamp or transaction list', () => {
    const block = signBlock(tip.block, [good], T0 + 99_000, chosen.secret);
    expect(rejectCode({ ...block, timestamp: block.timestamp + 1 })).toBe('BAD_HASH');
    const other2 = coins(B, A, 200, accountOf(tip.ledger, B.address).nonce);
    expect(rejectCode({ ...block, transactions: [other2] })).toBe('BAD_HASH');
    expect(rejectCode({ ...block, timestamp: -5 })).toBe('BAD_HASH');
  });

  it('BAD_SIGNATURE for a block signed by another key but claiming the validator', () => {
    const hash = blockHash(tip.block.index + 1, T0 + 99_000, chosen.address, tip.block.current_hash, [good]);
    const forged: Block = {
      index: tip.block.index + 1,
      timestamp: T0 + 99_000,
      transactions: [good],
      validator: chosen.address,
      previous_hash: tip.block.current_hash,
      current_hash: hash,
      signature: signHash(hash, other.secret),
    };
    expect(rejectCode(forged)).toBe('BAD_SIGNATURE');
    expect(rejectCode({ ...forged, signature: '' })).toBe('BAD_SIGNATURE');
  });

  it('BAD_BLOCK_SIZE for 0 transactions or more than capacity', () => {
    expect(rejectCode(signBlock(tip.block, [], T0 + 99_000, chosen.secret))).toBe('BAD_BLOCK_SIZE');
    const n = accountOf(tip.ledger, B.address).nonce;
    const four = [0, 1, 2, 3].map((i) => coins(B, A, 10, n + i));
    expect(rejectCode(signBlock(tip.block, four, T0 + 99_000, chosen.secret))).toBe('BAD_BLOCK_SIZE');
    // exactly capacity is fine
    expect(() => applyBlock(params, tip, signBlock(tip.block, four.slice(0, 3), T0 + 99_000, chosen.secret))).not.toThrow();
  });

  it('DUPLICATE for the same transaction twice', () => {
    expect(rejectCode(signBlock(tip.block, [good, good], T0 + 99_000, chosen.secret))).toBe('DUPLICATE');
  });

  it('INVALID_TRANSACTION with the cause code of the failing transaction', () => {
    const bNonce = accountOf(tip.ledger, B.address).nonce;
    const bBalance = accountOf(tip.ledger, B.address).balance;
    const sign = (txs: Transaction[]): Block => signBlock(tip.block, txs, T0 + 99_000, chosen.secret);
    // more than the available balance
    expect(rejectCode(sign([coins(B, A, bBalance, bNonce)]))).toBe('INVALID_TRANSACTION/INSUFFICIENT_FUNDS');
    // signed by someone else than its sender
    const forgedTx: Transaction = { ...good, signature: signHash(good.id, A.secret) };
    expect(rejectCode(sign([forgedTx]))).toBe('INVALID_TRANSACTION/BAD_SIGNATURE');
    // replay of a committed transaction
    const old = blocks[3]!.transactions[0]!;
    expect(rejectCode(sign([old]))).toBe('INVALID_TRANSACTION/NONCE_USED');
    // a nonce gap
    expect(rejectCode(sign([coins(B, A, 10, bNonce + 1)]))).toBe('INVALID_TRANSACTION/NONCE_AHEAD');
    // signed for another network
    const foreign = signTransaction('f'.repeat(64), B.secret, {
      receiver: A.address,
      type: 'coins',
      amount: 10,
      message: '',
      nonce: bNonce,
    });
    expect(rejectCode(sign([foreign]))).toBe('INVALID_TRANSACTION/BAD_ID');
    // tampered amount after signing
    expect(rejectCode(sign([{ ...good, amount: 101 }]))).toBe('INVALID_TRANSACTION/BAD_ID');
    // malformed
    expect(rejectCode(sign([{ ...good, amount: -1 }]))).toBe('INVALID_TRANSACTION/MALFORMED');
    // a valid transaction followed by one the first makes unaffordable: the whole block fails
    const spendAll = coins(B, A, Math.floor((bBalance * 100) / 103) - 1, bNonce);
    const then = coins(B, A, 100, bNonce + 1);
    expect(rejectCode(sign([spendAll, then]))).toBe('INVALID_TRANSACTION/INSUFFICIENT_FUNDS');
    // the genesis transaction cannot be replayed
    expect(rejectCode(sign([genesis.transactions[0]!]))).toMatch(/^INVALID_TRANSACTION\//);
  });

  it('the tip still accepts a good block after all the rejections', () => {
    expect(tip.block.current_hash).toBe(before.hash);
    const next = applyBlock(params, tip, signBlock(tip.block, [good], T0 + 99_000, chosen.secret));
    expect(next.block.previous_hash).toBe(before.hash);
  });
});

describe('the validators of the next rounds', () => {
  it('validatorsOfRounds lists the first count rounds of the lottery, none for count <= 0', () => {
    const draws = validatorsByRound(tip.block.current_hash, stakersOf(tip.ledger), params.bootstrap);
    const first5 = Array.from({ length: 5 }, () => draws.next().value);
    expect(validatorsOfRounds(params, tip, 5)).toEqual(first5);
    expect(validatorsOfRounds(params, tip, 1)).toEqual([nextValidator(params, tip)]);
    expect(validatorsOfRounds(params, tip, 0)).toEqual([]);
    expect(validatorsOfRounds(params, tip, -1)).toEqual([]);
  });

  it('nextValidator answers for the bootstrap it is given, even for a tip it has seen', () => {
    const other = { ...params, bootstrap: OUTSIDER.address };
    expect(nextValidator(params, genesisTipValue)).toBe(KEYS3[0]!.address);
    expect(nextValidator(other, genesisTipValue)).toBe(OUTSIDER.address);
    expect(nextValidator(params, genesisTipValue)).toBe(KEYS3[0]!.address);
  });
});

describe('applyBlock on blocks that are well sealed but break a rule', () => {
  const A = KEYS3[0]!;
  const B = KEYS3[1]!;
  let chosen: KeyPair;
  let good: Transaction;

  beforeAll(() => {
    chosen = keyOf(nextValidator(params, tip));
    good = coins(B, A, 100, accountOf(tip.ledger, B.address).nonce);
  });

  it('a timestamp that is not a non-negative safe integer is BAD_HASH, even when signed', () => {
    for (const ts of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(codeOf(() => applyBlock(params, tip, signBlock(tip.block, [good], ts, chosen.secret)))).toBe('BAD_HASH');
    }
  });

  it('accepts timestamp 0 (a network whose clock starts at 0)', () => {
    const g0 = genesisBlock(KEYS3[0]!.address, N_NODES, 0);
    const { params: p0, tip: t0 } = genesisTip(g0, N_NODES, CAPACITY);
    const first = signTransaction(p0.domain, KEYS3[0]!.secret, { receiver: B.address, type: 'coins', amount: 100, message: '', nonce: 0 });
    const next = applyBlock(p0, t0, signBlock(g0, [first], 0, KEYS3[0]!.secret));
    expect(next.block.timestamp).toBe(0);
  });

  it('a validator that is not a string is WRONG_VALIDATOR, however late the block', () => {
    const block = signBlock(tip.block, [good], tip.block.timestamp + 1_000_000, chosen.secret);
    expect(codeOf(() => applyBlock(params, tip, { ...block, validator: 42 as unknown as string }))).toBe('WRONG_VALIDATOR');
  });

  it('an error that is not a protocol error passes through unchanged', () => {
    const block = signBlock(tip.block, [good], T0 + 99_000, chosen.secret);
    const failing = (): void => {
      throw new TypeError('verifier broke');
    };
    expect(() => applyBlock(params, tip, block, failing)).toThrow(TypeError);
  });
});
