/**
 * Blocks fetched while catching up are held to the schema of a streamed block (finding 6 of the
 * audit): a member that serves its valid block with an extra field gets nothing stored or served
 * again; the same block without it is taken.
 *
 * Nodes 0 and 1 are processes with no stake; node 2 is a byzantine member in this process
 * (byzantine-member.ts) and the only staker. Under protocol version 2 the draw of the first two
 * seed epochs is the genesis's (the bootstrap validates); from the third on (height 64) it is
 * from a snapshot that holds the member's stake alone, so the draw names it in every round and
 * the chain moves only when it serves a block.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validatorsOfRoundsV2, type TipV2 } from '../../src/core/consensus.js';
import { MAX_ROUNDS, SEED_EPOCH_BLOCKS, UNITS_PER_BCC } from '../../src/core/params.js';
import { accountOf } from '../../src/core/state.js';
import type { Block } from '../../src/core/types.js';
import { ByzantineMember } from './byzantine-member.js';
import { useNetworkWithFaultyPeer, waitCommitted, waitFor } from './harness.js';

const N = 3;
const CAPACITY = 3;
const MEMBER = 2;

const t = useNetworkWithFaultyPeer(N, CAPACITY, MEMBER, { mode: 'reject', stake: 10 * UNITS_PER_BCC }, { stakesBcc: [0, 0, 10] });
let member: ByzantineMember;
beforeAll(() => {
  member = new ByzantineMember(t.peer, N, CAPACITY);
});

/**
 * Payments between the two nodes until the chain reaches the third seed epoch, then the tip every
 * node is on once the chain waits for the member: the draw after it names the member in every round.
 */
async function waitingForMember(): Promise<TipV2[]> {
  for (let k = 0; (await t.clients[0]!.status()).height < 2 * SEED_EPOCH_BLOCKS - 1; k++) {
    expect(k, 'the chain stopped growing').toBeLessThan(80);
    const { id } = await t.clients[k % 2]!.submit({ type: 'coins', to: (k + 1) % 2, amount: 10 + k });
    await waitCommitted(t.clients, [id]);
  }
  let tips: TipV2[] = [];
  await waitFor('every node on a tip after which only the member is drawn', async () => {
    const statuses = await Promise.all(t.clients.map((c) => c.status()));
    if (!statuses.every((s) => s.last_hash === statuses[0]!.last_hash)) return false;
    tips = await member.chainOf(t.clients[0]!);
    const tip = tips.at(-1)!;
    return (
      tip.block.current_hash === statuses[0]!.last_hash &&
      validatorsOfRoundsV2(member.params, tip, MAX_ROUNDS).every((a) => a === member.address)
    );
  });
  return tips;
}

describe('catching up from a member that pads its blocks', () => {
  it('a served block with an extra field is refused; the same block without it is taken', async () => {
    const tips = await waitingForMember();
    const parent = tips.at(-1)!;
    expect(accountOf(parent.ledger, member.address).stake).toBeGreaterThan(0);
    const to = (await t.clients[0]!.status()).address;
    const next = member.mint(parent, [member.coins(to, 5, accountOf(parent.ledger, member.address).nonce)]);
    const padded = { ...next.block, padding: 'x'.repeat(100_000) } as Block;
    const chain = tips.map((x) => x.block);

    member.serve([...chain, padded]);
    const fetched = t.peer.served.get('GET /blocks') ?? 0;
    // every node asks once (then leaves alone, for 10 s, a peer whose same claim gave nothing it could take)
    await waitFor(
      'both nodes to fetch the padded block',
      () => Promise.resolve((t.peer.served.get('GET /blocks') ?? 0) >= fetched + 2),
      30_000,
    );
    for (const c of t.clients) expect((await c.status()).last_hash).toBe(parent.block.current_hash);

    member.serve([...chain, next.block]);
    await waitFor('both nodes to take the block as it should be', async () =>
      (await Promise.all(t.clients.map((c) => c.status()))).every((s) => s.last_hash === next.block.current_hash),
    );
    for (const c of t.clients) {
      const [served] = await c.blocks(next.block.index, 1);
      expect(Object.keys(served!).sort()).toEqual(Object.keys(next.block).sort());
    }
    member.stopServing();
  }, 240_000);
});
