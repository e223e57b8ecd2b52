/**
 * A byzantine member driven by test code: a real member of a real network — it joins, is funded
 * and stakes, as a FaultyPeer (faulty-peer.ts) in `reject` mode, which it is built on — whose key
 * signs whatever blocks and votes the test asks for: rival branches for the fork choice, blocks
 * with chosen timestamps, two blocks at one height, conflicting votes, transactions of its own.
 * It sends them to the nodes of the test's choosing through the peer endpoints (POST /peer/blocks,
 * POST /peer/votes, POST /peer/transactions), or serves a chain to nodes that catch up from it
 * (GET /status and GET /blocks). It never mints nor votes on its own: when the draw names it on
 * the honest chain, the next round's validator produces the block.
 *
 * It keeps no chain of its own. `chainOf` replays a node's chain by the core's rules of protocol
 * version 2 to know the state after every block, and every block it mints is checked by the same
 * rules (`applyBlockV2`, without a clock), so that a block it sends is valid unless a test makes
 * it otherwise on purpose (with `signBlockV2` and `secretKey`). Its reveals follow its onion, as a
 * node's do (src/node/minter/onions.ts).
 */
import { signBlockV2, type BlockContents } from '../../src/core/blockv2.js';
import { applyBlockV2, roundForV2, roundScheduleV2, type TipV2 } from '../../src/core/consensus.js';
import { nobleCrypto } from '../../src/core/crypto.js';
import { SEED_EPOCH_BLOCKS, type NetworkParams } from '../../src/core/params.js';
import { isTooFarAhead, stampFor } from '../../src/core/time.js';
import { signTransaction } from '../../src/core/transaction.js';
import type { Block, Transaction, TxBody } from '../../src/core/types.js';
import type { StatusView } from '../../src/api/types.js';
import type { Evidence } from '../../src/core/evidence.js';
import type { Checkpoint, Vote } from '../../src/core/vote.js';
import type { NodeClient } from '../../client/api.js';
import { Onions } from '../../src/node/minter/onions.js';
import type { FaultyPeer } from './faulty-peer.js';
import { raw, servedChain, waitFinal, waitFor } from './harness.js';

/** How a node answered a block or a batch: its HTTP status and its `result` or error `code`. */
export interface Answer {
  status: number;
  answer: string;
}

export class ByzantineMember {
  private known: NetworkParams | undefined;
  private onionsOf: Onions | undefined;

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
  async chainOf(client: NodeClient): Promise<TipV2[]> {
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

  /** The reveal this member's next block after `parent` must carry (its onion's next value). */
  revealAfter(parent: TipV2): string {
    this.onionsOf ??= new Onions(() => this.params.domain, this.address, this.secretKey, nobleCrypto);
    return this.onionsOf.revealFor(parent.seed);
  }

  /**
   * The block after `parent` holding `txs` (and `extra` votes or evidence), signed by this member
   * as the validator of the first round the draw gives it there, stamped at `timestamp` — by
   * default when that round opens, or now if later. Checked by the core's rules (which know no
   * clock: a block stamped in the future passes); returns the block with the state after it.
   */
  mint(parent: TipV2, txs: readonly Transaction[], timestamp?: number, extra: Partial<BlockContents> = {}): TipV2 {
    const round = this.roundAt(parent);
    const ts = timestamp ?? stampFor(parent.block.timestamp, this.openingOf(parent, round), Date.now());
    const contents: BlockContents = { transactions: txs, reveal: this.revealAfter(parent), votes: [], evidence: [], ...extra };
    return applyBlockV2(this.params, parent, signBlockV2(this.params.domain, parent.block, round, contents, ts, this.secretKey));
  }

  /** Ms after `parent`'s timestamp at which `round` of the block after it opens. */
  openingOf(parent: TipV2, round: number): number {
    return roundScheduleV2(this.params, parent).openingOf(round);
  }

  /** The first round in which the draw names this member for the block after `parent`. */
  roundAt(parent: TipV2): number {
    const round = roundForV2(this.params, parent, this.address);
    if (round < 0) throw new Error(`the draw names this member in none of the rounds after block ${parent.block.index}`);
    return round;
  }

  /**
   * A private branch on `parent`: one block per entry of `contents`, in order, each of the first
   * round the draw gives this member at its height, stamped when that round opens. (Under
   * protocol version 2 no choice of timestamp or content changes the draw: there is no grinding.)
   */
  branch(parent: TipV2, contents: readonly (readonly Transaction[])[]): TipV2[] {
    const out: TipV2[] = [];
    for (const txs of contents) {
      const tip = this.mint(
        parent,
        txs,
        stampFor(parent.block.timestamp, this.openingOf(parent, this.roundAt(parent)), parent.block.timestamp),
      );
      out.push(tip);
      parent = tip;
    }
    return out;
  }

  /**
   * Payments between the honest nodes, each waited for until final, until the chain has passed two
   * seed epochs: from then on the draw is from a snapshot that holds this member's stake.
   */
  async passTwoEpochs(clients: readonly NodeClient[]): Promise<void> {
    for (let k = 0; (await clients[0]!.status()).height < 2 * SEED_EPOCH_BLOCKS + 4; k++) {
      if (k >= 40) throw new Error('the chain stopped growing');
      const { id } = await clients[k % clients.length]!.submit({ type: 'coins', to: (k + 1) % clients.length, amount: 10 + k });
      await waitFinal(clients, id);
    }
  }

  /** Sends votes and evidence to a node's POST /peer/votes; resolves to its HTTP status. */
  async postVotes(port: number, votes: readonly Vote[], evidence: readonly Evidence[] = []): Promise<number> {
    return (await raw(port, 'POST', '/peer/votes', { votes, evidence }, await this.peer.sessionHeaders(port))).status;
  }

  /**
   * Resolves once none of `blocks` is stamped too far ahead of this machine's clock for a node to
   * take it: a later round's block is stamped when its round opens, which may be seconds after its
   * parent when the validators before it made their last blocks (a round of theirs lasts 1 s).
   */
  async untilNotAhead(blocks: readonly Block[]): Promise<void> {
    const latest = Math.max(...blocks.map((b) => b.timestamp));
    await waitFor('the blocks no longer too far ahead of the clock', () => Promise.resolve(!isTooFarAhead(latest, Date.now())), 60_000);
  }

  /** Sends blocks one after the other to a node's POST /peer/blocks; resolves to each answer. */
  async postBlocks(port: number, blocks: readonly Block[]): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (const block of blocks) {
      const res = await raw(port, 'POST', '/peer/blocks', block, await this.peer.sessionHeaders(port));
      answers.push({ status: res.status, answer: (res.body.result ?? res.body.code) as string });
    }
    return answers;
  }

  /** Sends one batch to a node's POST /peer/transactions; resolves to the node's answer. */
  async postTransactions(port: number, txs: readonly Transaction[]): Promise<{ status: number; accepted?: number }> {
    const res = await raw(port, 'POST', '/peer/transactions', txs, await this.peer.sessionHeaders(port));
    return { status: res.status, accepted: res.body.accepted as number | undefined };
  }

  /**
   * Serves `chain` (every block from the genesis, in index order) to nodes that catch up from
   * this member: GET /status claims its last block (and `justified` as its latest justified
   * checkpoint), GET /blocks pages through it.
   */
  serve(chain: readonly Block[], justified: Checkpoint = { height: 0, hash: '' }): void {
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
      final_height: 0,
      final_hash: '',
      justified_height: justified.height,
      justified_hash: justified.hash,
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
