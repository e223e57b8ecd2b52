/**
 * Pool repair (SPEC A, "Broadcast and validation"; src/node/node.ts, repairPool): a node whose
 * pool has a gap — a sender's next nonce missing while later ones wait — fetches a peer's pending
 * transactions (GET /peer/pool) and fills it, so that a broadcast it missed does not hold the
 * sender back for good.
 *
 * Nodes 0, 1 and 2 are processes; node 3 is a member in this process (byzantine-member.ts) that
 * sends its own transactions to the nodes it chooses. Nobody stakes, so node 0 (the bootstrap)
 * validates every block: a transaction it never received can only reach a block through its
 * repair, since nodes pass on no transaction but their own — or through a node that holds it
 * sending it again once its tip has stood for a while (network/resend.ts): the only way when node 0's
 * pool has no gap. Either may bring the first test's transaction; test/unit/catch-up.test.ts
 * checks the repair alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { accountOf } from '../../src/core/state.js';
import { ByzantineMember } from './byzantine-member.js';
import { useNetworkWithFaultyPeer, waitAgreement, waitCommitted } from './harness.js';

const N = 4;
const CAPACITY = 3;
const MEMBER = 3;

const t = useNetworkWithFaultyPeer(N, CAPACITY, MEMBER, { mode: 'reject' }, { stakesBcc: [0, 0, 0, 0] });
let member: ByzantineMember;
beforeAll(() => {
  member = new ByzantineMember(t.peer, N, CAPACITY);
});

describe('a node that missed a transaction', () => {
  it("takes it from a peer's pool, and the transactions that waited behind the gap commit", async () => {
    await waitAgreement(t.clients);
    const tip = (await member.chainOf(t.clients[0]!)).at(-1)!;
    const validator = (await t.clients[0]!.status()).address;
    const addresses = (await t.clients[0]!.accounts()).filter((a) => a.id !== null && a.id < MEMBER).map((a) => a.address);
    expect(addresses).toHaveLength(3);
    const m = accountOf(tip.ledger, member.address).nonce;
    const txs = addresses.map((to, k) => member.coins(to, 100 + k, m + k));

    // the first reaches nodes 1 and 2 only; the two after it reach every node
    for (const i of [1, 2]) expect(await member.postTransactions(t.net.ports[i]!, [txs[0]!])).toEqual({ status: 200, accepted: 1 });
    for (const i of [0, 1, 2]) expect(await member.postTransactions(t.net.ports[i]!, txs.slice(1))).toEqual({ status: 200, accepted: 2 });

    // node 0 cannot mint the later two until it holds the first: only a repair gives it
    await waitCommitted(
      t.clients,
      txs.map((tx) => tx.id),
      60_000,
    );
    const [block] = await t.clients[0]!.blocks((await t.clients[0]!.transaction(txs[0]!.id)).block!, 1);
    expect(block!.validator).toBe(validator);
    expect(block!.transactions.map((tx) => tx.id)).toEqual(txs.map((tx) => tx.id));
    await waitAgreement(t.clients);
    expect((await t.clients[1]!.accounts()).find((a) => a.address === member.address)?.nonce).toBe(m + 3);
  }, 90_000);
});

describe('a transaction that only a node without stake holds', () => {
  it('is sent again to the validator, whose pool has no gap to repair, and committed', async () => {
    await waitAgreement(t.clients);
    const tip = (await member.chainOf(t.clients[0]!)).at(-1)!;
    const validator = (await t.clients[0]!.status()).address;
    const to = (await t.clients[0]!.accounts()).find((a) => a.id === 2)!.address;
    const tx = member.coins(to, 100, accountOf(tip.ledger, member.address).nonce);

    // node 1 alone holds it: it never mints, and passes it on only by resending it
    expect(await member.postTransactions(t.net.ports[1]!, [tx])).toEqual({ status: 200, accepted: 1 });
    await waitCommitted(t.clients, [tx.id], 60_000);
    const [block] = await t.clients[0]!.blocks((await t.clients[0]!.transaction(tx.id)).block!, 1);
    expect(block!.validator).toBe(validator);
    await waitAgreement(t.clients);
  }, 90_000);
});
