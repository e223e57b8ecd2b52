/**
 * Apply time against chain height, in the pure core: builds a chain of real signed blocks (four
 * stakers, `capacity` coin transfers per block) and times applyBlock — full verification of every
 * signature included — on the tip at each requested height. applyBlock is a pure function, so the
 * same block is applied many times on the same tip and the median is reported.
 */
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { signBlock } from '../src/core/block.js';
import { applyBlock, genesisTip, nextValidator, type ChainTip } from '../src/core/chain.js';
import { genesisBlock } from '../src/core/block.js';
import type { Crypto } from '../src/core/crypto.js';
import { UNITS_PER_BCC } from '../src/core/params.js';
import { signTransaction } from '../src/core/transaction.js';
import type { Block, Transaction } from '../src/core/types.js';

export interface ApplyTiming {
  height: number;
  /** Median ms to validate and apply one block of `capacity` transactions on that tip. */
  medianMs: number;
}

const trusted = () => undefined;

/** `crypto`: the suite a node would use (availableSuites(process.env).suites[0]), for every hash, signature and check. */
export function measureApplyVsHeight(crypto: Crypto, heights: readonly number[], capacity = 20, repeats = 200): ApplyTiming[] {
  const secrets = [0, 1, 2, 3].map((i) => createHash('sha256').update(`bench-apply-${i}`).digest('hex'));
  const addresses = secrets.map((s) => crypto.addressOf(s));
  const secretOf = new Map(addresses.map((a, i) => [a, secrets[i]!]));
  const genesis = genesisBlock(addresses[0]!, 4, 0, crypto);
  const { params, tip: first } = genesisTip(genesis, 4, capacity, crypto);
  const nonces = new Map<string, number>();
  const nextTx = (from: number, to: number, body: Partial<Transaction> = {}): Transaction => {
    const sender = addresses[from]!;
    const nonce = nonces.get(sender) ?? 0;
    nonces.set(sender, nonce + 1);
    return signTransaction(
      params.domain,
      secrets[from]!,
      {
        receiver: addresses[to]!,
        type: 'coins',
        amount: 1,
        message: '',
        nonce,
        ...body,
      },
      crypto,
    );
  };
  const mint = (tip: ChainTip, txs: Transaction[]): Block =>
    signBlock(tip.block, txs, tip.block.timestamp + 1, secretOf.get(nextValidator(params, tip))!, crypto);

  // Fund and stake everyone, then fill blocks with small transfers.
  let tip = first;
  const setup = [1, 2, 3].map((to) => nextTx(0, to, { amount: 900 * UNITS_PER_BCC }));
  tip = applyBlock(params, tip, mint(tip, setup), trusted, crypto);
  tip = applyBlock(
    params,
    tip,
    mint(
      tip,
      [0, 1, 2, 3].map((i) => nextTx(i, 0, { type: 'stake', receiver: '0', amount: 10 * UNITS_PER_BCC })),
    ),
    trusted,
    crypto,
  );
  const timings: ApplyTiming[] = [];
  const wanted = [...heights].sort((a, b) => a - b);
  let k = 0;
  const block = (): Block =>
    mint(
      tip,
      Array.from({ length: capacity }, () => {
        k++;
        return nextTx(k % 4, (k + 1) % 4);
      }),
    );
  for (const height of wanted) {
    while (tip.block.index < height) tip = applyBlock(params, tip, block(), trusted, crypto);
    const candidate = block();
    const samples: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      applyBlock(params, tip, candidate, undefined, crypto); // full verification, every time
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    timings.push({ height, medianMs: samples[Math.floor(samples.length / 2)]! });
    // Roll the nonces of the measured block's senders back: it was never committed.
    for (const tx of candidate.transactions) nonces.set(tx.sender, Math.min(nonces.get(tx.sender)!, tx.nonce));
  }
  return timings;
}
