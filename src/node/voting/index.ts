/**
 * The voting part (docs/protocol.md, "Liveness", "Votes in a block", "Slashing"): when the best
 * branch holds a checkpoint above every target this staker voted for, it signs the vote the core
 * names (`voteToCast`, `maySign`), remembers it on disk, and gossips it. It keeps a bounded pool
 * of the votes it verified (each signature is checked once: a vote carried in a block later costs
 * no verification), which the minter draws from (`votesFor`); and it watches for equivocation —
 * two blocks signed by one validator at one height, two conflicting votes from one staker — and
 * turns it into evidence (`evidenceFor`), gossiped once and carried by the next block this node
 * makes. Applying evidence, which burns the offender's stake, is the core's rule.
 */
import type { NodeCrypto } from '../../crypto/suite.js';
import { headerOf, type BlockV2 } from '../../core/blockv2.js';
import type { TipV2 } from '../../core/consensus.js';
import { doubleBlockEvidence, doubleVoteEvidence, offenderOf, verifyEvidence, type Evidence } from '../../core/evidence.js';
import { ProtocolError } from '../../core/errors.js';
import { applyVotes, maySign, remember, voteToCast, weightsFrom } from '../../core/finality.js';
import { CHECKPOINT_INTERVAL, MAX_EVIDENCE_PER_BLOCK, MAX_VOTES_PER_BLOCK } from '../../core/params.js';
import type { Block } from '../../core/types.js';
import { checkVoteShape, signVote, verifyVoteSignature, voteConflict, voteId, type Vote } from '../../core/vote.js';
import type { ChainFollower } from '../chain/index.js';
import type { NodeEmitter } from '../events.js';
import type { Readiness } from '../formation/readiness.js';
import type { Logger } from '../logger.js';
import type { WalletKey } from '../wallet/index.js';
import { VoteMemory } from './memory.js';
import { voteRecipients } from './recipients.js';
import { SeenBlocks } from './seen-blocks.js';

/** Votes kept at most (verified, not yet below the finalised height). */
const MAX_POOL = 4096;
/** Offenders remembered at most. */
const MAX_EVIDENCE = 64;

export class Voting {
  private readonly memory: VoteMemory;
  /** Verified votes by id. */
  private readonly pool = new Map<string, Vote>();
  /** One vote per (staker, target height), and each staker's recent votes: what a new vote may conflict with. */
  private readonly byStaker = new Map<string, Vote[]>();
  /** The first block seen per validator, height and round, over a window below the tip. */
  private readonly blocksSeen = new SeenBlocks();
  /** Evidence known, one per offender. */
  private readonly evidence = new Map<string, Evidence>();
  /** The height at which the network became ready (every member funded and staked); undefined before. */
  private readyHeight: number | undefined;
  /** The finalised height of the last pruning of the votes. */
  private prunedAt = -1;
  private closed = false;

  constructor(
    private readonly key: WalletKey,
    private readonly chain: ChainFollower,
    private readonly readiness: Pick<Readiness, 'resuming'>,
    private readonly events: NodeEmitter,
    private readonly log: Logger,
    private readonly crypto: NodeCrypto,
    dataDir: string,
  ) {
    this.memory = new VoteMemory(dataDir);
    chain.verifyVote = this.verifyOnce;
    events.on('head', (tip) => {
      this.prune(tip);
      this.maybeVote(tip);
    });
    events.on('sealed', (block) => this.noteBlock(block));
    events.on('ready', (tip) => (this.readyHeight ??= tip.block.index));
    events.on('resumed', (tip) => this.maybeVote(tip));
  }

  /** Signs no more votes (the node is stopping) and closes the file of what it voted. */
  close(): void {
    this.closed = true;
    this.memory.close();
  }

  private get domain(): string {
    return this.chain.params!.domain;
  }

  /** What this staker voted so far (on disk). */
  get voted(): { maxSource: number; maxTarget: number } {
    return this.memory.value;
  }

  /** Votes and evidence from a peer (REST or the peer stream): each verified once, kept, checked for conflicts. */
  receive(votes: readonly Vote[], evidence: readonly Evidence[]): void {
    if (!this.chain.params) return;
    for (const v of votes) {
      try {
        this.verifyOnce(this.domain, v);
      } catch (err) {
        if (err instanceof ProtocolError) continue;
        throw err;
      }
    }
    for (const e of evidence) {
      try {
        verifyEvidence(this.domain, e, this.crypto);
      } catch (err) {
        if (err instanceof ProtocolError) continue;
        throw err;
      }
      this.addEvidence(e, false);
    }
  }

  /**
   * Checks a vote's form and signature once per node (returns its id): the chain follower uses it
   * for the votes blocks carry, giving the id the block's header holds, so that a vote gossiped
   * first costs nothing in the block. Without `id` (a vote from a peer) the form is checked and
   * the id computed here.
   */
  readonly verifyOnce = (domain: string, v: Vote, id?: string): string => {
    if (id === undefined) {
      checkVoteShape(v, this.crypto);
      id = voteId(domain, v, this.crypto);
    }
    const known = this.pool.get(id);
    if (known && known.signature === v.signature) return id;
    verifyVoteSignature(v, id, this.crypto);
    this.observe(id, v);
    return id;
  };

  /** A verified vote: kept, and compared with the staker's other votes. */
  private observe(id: string, v: Vote): void {
    if (this.pool.size >= MAX_POOL) return;
    this.pool.set(id, v);
    const mine = this.byStaker.get(v.staker) ?? [];
    for (const other of mine) {
      if (voteConflict(other, v) !== undefined) {
        this.addEvidence(doubleVoteEvidence(this.domain, other, v, this.crypto), false);
        break;
      }
    }
    mine.push(v);
    this.byStaker.set(v.staker, mine);
  }

  /** A block whose seal verified: a second one from its validator at its height and round is evidence. */
  private noteBlock(block: Block): void {
    const first = this.blocksSeen.firstAt(block, (block as BlockV2).round);
    if (first.current_hash === block.current_hash) return;
    const domain = this.domain;
    try {
      const e = doubleBlockEvidence(
        domain,
        headerOf(domain, first as BlockV2, this.crypto),
        headerOf(domain, block as BlockV2, this.crypto),
        this.crypto,
      );
      this.addEvidence(e, false);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
    }
  }

  private addEvidence(e: Evidence, quiet: boolean): void {
    const offender = offenderOf(e);
    if (this.evidence.has(offender) || this.evidence.size >= MAX_EVIDENCE) return;
    this.evidence.set(offender, e);
    if (!quiet) this.log.warn(`evidence of ${e.kind} by ${offender.slice(0, 12)}…: its stake will be burned`);
    this.events.emit('evidence', e);
    this.events.emit('gossip', { votes: [], evidence: [e] });
  }

  /**
   * Signs and gossips the vote the core names on the best branch, if this node has weight and may
   * sign it. Not before the network is ready, and never a link that would finalise a checkpoint
   * below the height it became ready at: the first checkpoint whose stake table replaces the
   * bootstrap's then holds every member's initial stake. (Finalising a checkpoint whose ledger
   * holds only the first stakers would make them the only voters for good: if one of them never
   * votes, finality could not go on.)
   */
  private maybeVote(tip: TipV2): void {
    if (this.closed || this.readyHeight === undefined || this.readiness.resuming) return;
    const cast = voteToCast(tip.finality);
    if (!cast) return;
    if (cast.source.height < this.readyHeight && cast.target.height === cast.source.height + CHECKPOINT_INTERVAL) return;
    const weight = weightsFrom(tip.finality, cast.source.height)?.weights.get(this.key.address) ?? 0;
    if (weight <= 0 || tip.slashing.slashed.has(this.key.address)) return;
    if (!maySign(this.memory.value, cast.source, cast.target)) return;
    const uncarried = this.uncarriedOwnVotes(tip);
    const vote = signVote(this.domain, this.key.secretKey, cast.source, cast.target, this.crypto);
    // On disk before it leaves: a restart never signs a vote that conflicts with this one.
    this.memory.save(remember(this.memory.value, cast.source, cast.target));
    this.observe(voteId(this.domain, vote, this.crypto), vote);
    // To the validators of the next blocks; to everyone with an earlier vote the branch lost on the way.
    if (uncarried.length === 0) {
      this.events.emit('gossip', {
        votes: [vote],
        evidence: [],
        to: voteRecipients(this.chain.params!, tip, this.key.address, this.crypto),
      });
    } else {
      this.events.emit('gossip', { votes: [...uncarried, vote], evidence: [] });
    }
    this.log.debug(`voted ${cast.source.height} → ${cast.target.height} at height ${tip.block.index}`);
  }

  /**
   * This staker's votes that the branch of `tip` has not carried and still could: above its
   * finalised height and above the last target it counted from this staker.
   */
  private uncarriedOwnVotes(tip: TipV2): Vote[] {
    const counted = tip.finality.lastTarget.get(this.key.address) ?? -1;
    const floor = Math.max(counted, tip.finality.finalized.height);
    return (this.byStaker.get(this.key.address) ?? []).filter((v) => v.target_height > floor);
  }

  /** Forgets votes at or below the finalised height, and blocks far below the tip. */
  private prune(tip: TipV2): void {
    const final = tip.finality.finalized.height;
    this.blocksSeen.prune(tip.block.index);
    // The votes only when the finalised height moved (it moves once a checkpoint interval, not per head).
    if (final === this.prunedAt) return;
    this.prunedAt = final;
    for (const [id, v] of this.pool) if (v.target_height <= final) this.pool.delete(id);
    for (const [staker, votes] of this.byStaker) {
      const kept = votes.filter((v) => v.target_height > final);
      if (kept.length === 0) this.byStaker.delete(staker);
      else this.byStaker.set(staker, kept);
    }
  }

  /** The pooled votes includable in the block after `tip`, in order, up to the per-block limit. */
  votesFor(tip: TipV2): Vote[] {
    const height = tip.block.index + 1;
    const { finality, slashing } = tip;
    const candidates = [...this.pool.values()].filter(
      (v) =>
        v.target_height < height &&
        v.target_height > finality.finalized.height &&
        (finality.lastTarget.get(v.staker) ?? -1) < v.target_height &&
        !slashing.slashed.has(v.staker),
    );
    candidates.sort((a, b) => a.target_height - b.target_height || a.source_height - b.source_height);
    const out: Vote[] = [];
    let state = finality;
    for (const v of candidates) {
      if (out.length >= MAX_VOTES_PER_BLOCK) break;
      try {
        state = applyVotes(state, [v], slashing.slashed, height);
        out.push(v);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
      }
    }
    return out;
  }

  /** Evidence against offenders not yet slashed on the branch of `tip`, up to the per-block limit. */
  evidenceFor(tip: TipV2): Evidence[] {
    const out: Evidence[] = [];
    for (const [offender, e] of this.evidence) {
      if (out.length >= MAX_EVIDENCE_PER_BLOCK) break;
      if (!tip.slashing.slashed.has(offender)) out.push(e);
    }
    return out;
  }
}
