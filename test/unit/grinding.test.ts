/**
 * A grinding validator (docs/protocol.md, "The seed: onion reveals mixed per epoch"): the validator
 * of the last block of an epoch — the block whose mix becomes the next epoch's seed — tries 10,000
 * variants of its block (timestamps, which transactions, their order, whether its own stake
 * transaction is in it, each with its own signature). Every variant that is valid leaves the same
 * mix, the same seed, and the same validators for every round of every height of the next epoch:
 * nothing it chooses steers a later draw.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { computableDraws } from '../../scripts/bench-grinding.js';
import { signBlockV2 } from '../../src/core/blockv2.js';
import { applyBlockV2, type TipV2 } from '../../src/core/consensus.js';
import { SEED_EPOCH_BLOCKS } from '../../src/core/params.js';
import { validatorsAt } from '../../src/core/seed.js';
import { earliestTimestampV2 } from '../../src/core/time.js';
import { selectCrypto } from '../../src/crypto/select.js';
import { advance, coinsTx, KEYS4, keyOf, NET, PARAMS, revealFor, stakeTx } from './v2-fixtures.js';

const [A, B, C, D] = KEYS4 as [(typeof KEYS4)[0], (typeof KEYS4)[0], (typeof KEYS4)[0], (typeof KEYS4)[0]];
const VARIANTS = 10_000;
const crypto = selectCrypto(process.env).crypto;

/** The tip before the last block of epoch 2, with everyone staked and funded. */
let parent: TipV2;

beforeAll(() => {
  let t = advance(NET.tip, 1, [A], {
    transactions: [coinsTx(A, B.address, 100_000, 0), coinsTx(A, C.address, 100_000, 1), coinsTx(A, D.address, 100_000, 2)],
  });
  t = advance(t, 1, [A], { transactions: [stakeTx(A, 1000, 3), stakeTx(B, 1000, 0), stakeTx(C, 1000, 0), stakeTx(D, 1000, 0)] });
  while (t.block.index + 1 < 3 * SEED_EPOCH_BLOCKS - 1) t = advance(t, 1, KEYS4);
  parent = t;
}, 60_000);

describe('a validator grinding the last block of an epoch', () => {
  it(`cannot change the next epoch's draws with ${VARIANTS} variants of its block`, () => {
    const height = parent.block.index + 1;
    expect((height + 1) % SEED_EPOCH_BLOCKS).toBe(0); // its mix becomes the next seed
    const validator = keyOf(validatorsAt(parent.seed, height, PARAMS.bootstrap, 1, crypto)[0]!);
    const other = KEYS4.find((k) => k.address !== validator.address)!;
    const nonce = parent.ledger.get(validator.address)!.nonce;
    const pay = coinsTx(validator, other.address, 100, nonce);
    const stakeAll = stakeTx(validator, 5_000, nonce);
    const contents = [[], [pay], [stakeAll], [pay, stakeTx(validator, 2_000, nonce + 1)]];
    const reveal = revealFor(parent, validator);
    const earliest = earliestTimestampV2(parent.block.timestamp, 0);
    const seen = new Set<string>();
    const hashes = new Set<string>();
    for (let i = 0; i < VARIANTS; i++) {
      const txs = contents[i % contents.length]!;
      const block = signBlockV2(
        PARAMS.domain,
        parent.block,
        0,
        { transactions: txs, reveal, votes: [], evidence: [] },
        earliest + Math.floor(i / contents.length),
        validator.secret,
        crypto,
      );
      const tip = applyBlockV2(PARAMS, parent, block, { crypto, verifyTx: () => undefined });
      hashes.add(tip.block.current_hash);
      seen.add(computableDraws(tip, PARAMS.bootstrap, 4, crypto).key); // all of the next epoch, 4 rounds each
    }
    expect(hashes.size).toBe(VARIANTS); // every variant is a different block
    expect(seen.size).toBe(1); // and all leave the same draws
  }, 120_000);
});
