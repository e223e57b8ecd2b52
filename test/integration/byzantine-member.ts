/**
 * A byzantine member driven by test code: a real member of a real network — it joins, is funded
 * and stakes, as a FaultyPeer (faulty-peer.ts) in `reject` mode, which it is built on — whose key
 * signs whatever blocks the test asks for: rival branches for the fork choice, blocks with chosen
 * timestamps, transactions of its own. It sends them to the nodes of the test's choosing through
 * the peer endpoints (POST /peer/blocks, POST /peer/transactions), or serves a chain to nodes that
 * catch up from it (GET /status and GET /blocks). It never mints on its own: when the lottery
 * names it on the honest chain, the next round's validator produces the block.
 *
 * It keeps no chain of its own. `chainOf` replays a node's chain by the core's rules to know the
 * state after every block, and every block it mints is checked by the same rules (`applyBlock`),
 * so that a block it sends is valid unless a test makes it otherwise on purpose (with
 * `signBlock` and `secretKey`).
 *
 * Grinding, on purpose: the lottery of block i + 1 is seeded by block i's hash, and a block's
 * validator chooses its timestamp. `branch` therefore tries timestamps a millisecond apart until
 * the lottery names this member as round 0's validator of the next block, so that every block of
 * a private branch after the first is of round 0. This is a known weakness of the protocol
 * (README, "Known limits"; SPEC E asks for a seed that no validator can steer). Once it is fixed,
 * `branch` needs another way in, e.g. a network in which this member holds all the stake.
 */
import { signBlock } from '../../src/core/block.js';
import { applyBlock, earliestTimestamp, nextValidator, roundFor, type ChainTip } from '../../src/core/chain.js';
import type { NetworkParams } from '../../src/core/params.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Block, Transaction, TxBody } from '../../src/core/types.js';
import type { StatusView } from '../../src/api/types.js';
import type { NodeClient } from '../../client/api.js';
import type { FaultyPeer } from './faulty-peer.js';
import { raw, servedChain } from './harness.js';

/** How a node answered a block or a batch: its HTTP status and its `result` or error `code`. */
export interface Answer {
  status: number;
  answer: string;
}

/** Timestamps tried per block before grinding gives up (the member's stake share makes ~1/share likely). */
const MAX_GRIND = 100_000;

export class ByzantineMember {
  private known: NetworkParams | undefined;

  constructor(
    readonly peer: FaultyPeer,
    readonly n: number,
    readonly capacity: number,
  ) {}

  get address(): string {
    return this.peer.address;
  }

  get secretKey(): string {
    return this.peer.secretKey;
  }

  /** The network's parameters, once a chain was read. */
  get params(): NetworkParams {
    if (!this.known) throw new Error('read a chain first (chainOf)');
    return this.known;
  }

  /** The chain `client`'s node serves, replayed by the core's rules: `tips[i]` is the block of index i and the state after it. */
  async chainOf(client: NodeClient): Promise<ChainTip[]> {
    const { params, tips } = await servedChain(client, this.n, this.capacity);
    this.known = params;
    return tips;
  }

  /** A transaction signed by this member's key, or by `key` (e.g. an honest node's, read from its data directory). */
  sign(body: Omit<TxBody, 'sender'>, key = this.secretKey): Transaction {
    return signTransaction(this.params.domain, key, body);
  }

  /** A coin transfer of this member's (or `key`'s) at `nonce`. */
  coins(to: string, amount: number, nonce: number, key = this.secretKey): Transaction {
    return this.sign({ receiver: to, type: 'coins', amount, message: '', nonce }, key);
  }

  /**
   * The block after `parent` holding `txs`, signed by this member as the validator of the first
   * round the lottery gives it there, stamped at `timestamp` — by default when that round opens,
   * or now if later. Checked by the core's rules (which know no clock: a block stamped in the
   * future passes); returns the block with the state after it.
   */
  mint(parent: ChainTip, txs: readonly Transaction[], timestamp?: number): ChainTip {
    const ts = timestamp ?? Math.max(Date.now(), earliestTimestamp(parent.block, this.roundAt(parent)));
    return applyBlock(this.params, parent, signBlock(parent.block, txs, ts, this.secretKey));
  }

  /** The first round in which the lottery names this member for the block after `parent`. */
  roundAt(parent: ChainTip): number {
    const round = roundFor(this.params, parent, this.address);
    if (round < 0) throw new Error(`the lottery names this member in none of the rounds after block ${parent.block.index}`);
    return round;
  }

  /**
   * A private branch on `parent`: one block per entry of `contents`, in order. The first is of the
   * first round the lottery gives this member; every block but the last is stamped (grinding) so
   * that the lottery names this member as round 0's validator of the next one.
   */
  branch(parent: ChainTip, contents: readonly (readonly Transaction[])[]): ChainTip[] {
    const out: ChainTip[] = [];
    for (const [i, txs] of contents.entries()) {
      const from = Math.max(Date.now(), earliestTimestamp(parent.block, this.roundAt(parent)));
      let tip = this.mint(parent, txs, from);
      for (let dt = 1; i < contents.length - 1 && nextValidator(this.params, tip) !== this.address; dt++) {
        if (dt > MAX_GRIND) throw new Error(`no timestamp of ${MAX_GRIND} makes this member the next validator`);
        tip = this.mint(parent, txs, from + dt);
      }
      out.push(tip);
      parent = tip;
    }
    return out;
  }

  /** Sends blocks one after the other to a node's POST /peer/blocks; resolves to each answer. */
  async postBlocks(port: number, blocks: readonly Block[]): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (const block of blocks) {
      const res = await raw(port, 'POST', '/peer/blocks', block);
      answers.push({ status: res.status, answer: (res.body.result ?? res.body.code) as string });
    }
    return answers;
  }

  /** Sends one batch to a node's POST /peer/transactions; resolves to the node's answer. */
  async postTransactions(port: number, txs: readonly Transaction[]): Promise<{ status: number; accepted?: number }> {
    const res = await raw(port, 'POST', '/peer/transactions', txs);
    return { status: res.status, accepted: res.body.accepted as number | undefined };
  }

  /**
   * Serves `chain` (every block from the genesis, in index order) to nodes that catch up from
   * this member: GET /status claims its last block, GET /blocks pages through it.
   */
  serve(chain: readonly Block[]): void {
    const last = chain[chain.length - 1]!;
    const status: StatusView = {
      id: this.peer.opts.id,
      address: this.address,
      n: this.n,
      capacity: this.capacity,
      height: last.index,
      ready: true,
      last_hash: last.current_hash,
      next_validator: '',
      pool: 0,
      verifier_fingerprint: '',
      verifier: '',
      joined: this.n,
      version: '',
    };
    this.peer.answers.set('GET /status', () => ({ status: 200, body: status }));
    this.peer.answers.set('GET /blocks', (url) => {
      const from = Number(url.searchParams.get('from') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      return { status: 200, body: chain.slice(from, from + limit) };
    });
  }

  /** Stops serving a chain: back to refusing every request. */
  stopServing(): void {
    this.peer.answers.delete('GET /status');
    this.peer.answers.delete('GET /blocks');
  }
}
