/**
 * A faulty node does not stop the honest ones (SPEC A, "Broadcast and validation"; SPEC B,
 * "Security"): a 4-node network where nodes 0, 1 and 2 are real processes and node 3 is a fake
 * peer in this process (faulty-peer.ts). It joins properly, then first refuses everything it is
 * sent, and then also floods the honest nodes with invalid transactions and blocks. Throughout,
 * the honest nodes commit transfers and messages from every honest node (and to the faulty one,
 * whose address is valid), end on the same chain, conserve the supply, count what they refused
 * and stay up.
 *
 * The faulty node joins with stake 0, so the lottery never names it; failover.test.ts covers a
 * faulty node that stakes (the next lottery round's validator produces its blocks).
 */
import { describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import type { Transaction } from '../../src/core/types.js';
import type { BlockKind } from './faulty-peer.js';
import { metric, raw, useNetworkWithFaultyPeer, supply, waitAgreement, waitCommitted, waitFor } from './harness.js';

const N = 4;
const CAPACITY = 5;
const FAULTY = 3;
const HONEST = [0, 1, 2];

const t = useNetworkWithFaultyPeer(N, CAPACITY, FAULTY, { mode: 'reject' });

/** Transfers and messages from every honest node, to the next honest one and to the faulty one. */
async function honestTraffic(tag: string): Promise<string[]> {
  const ids = await Promise.all(
    t.clients.map(async (c, i) => {
      const next = HONEST[(i + 1) % HONEST.length]!;
      const out: string[] = [];
      out.push((await c.submit({ type: 'coins', to: next, amount: 250 + i })).id);
      out.push((await c.submit({ type: 'message', to: next, message: `${tag} from ${i}` })).id);
      out.push((await c.submit({ type: 'coins', to: FAULTY, amount: 100 + i })).id);
      out.push((await c.submit({ type: 'message', to: FAULTY, message: `${tag} to the faulty node from ${i}` })).id);
      return out;
    }),
  );
  return ids.flat();
}

/** The committed accounts of every honest node: identical, and the supply is whole. */
async function expectSameAccountsAndSupply(): Promise<void> {
  const views = await Promise.all(t.clients.map((c) => c.accounts()));
  for (const v of views) {
    expect(v).toEqual(views[0]);
    expect(supply(v)).toBe(totalSupply(N));
    expect(supply(v)).toBe(1000 * N * UNITS_PER_BCC);
  }
}

async function expectHonestUp(): Promise<void> {
  const statuses = await Promise.all(t.clients.map((c) => c.status()));
  expect(statuses.map((s) => s.id)).toEqual(HONEST);
  for (const i of HONEST) {
    const child = t.net.processes[i]!;
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  }
}

/** The reasons the faulty node's invalid transactions are built to be refused for. */
const REJECTIONS = ['BAD_SIGNATURE', 'BAD_ID', 'NONCE_USED', 'INSUFFICIENT_FUNDS', 'MALFORMED', 'SELF_TRANSFER'];

/**
 * Rejected transactions by reason, from a node's /metrics. Before the garbage a reason may not
 * be counted yet (`absentIsZero`); after it, a reason missing from /metrics throws.
 */
async function rejectedByCode(c: NodeClient, absentIsZero = false): Promise<Map<string, number>> {
  const counts = await Promise.all(
    REJECTIONS.map((code) => metric(c, `blockchat_transactions_rejected_total{code="${code}"}`, { absentIsZero })),
  );
  return new Map(REJECTIONS.map((code, i) => [code, counts[i]!]));
}

describe('a network with one faulty node (stake 0: never the validator)', () => {
  it('forms with the faulty node as node 3, funded but not staked', async () => {
    const statuses = await Promise.all(t.clients.map((c) => c.status()));
    expect(statuses.every((s) => s.ready && s.n === N && s.joined === N)).toBe(true);
    const accounts = await t.clients[0]!.accounts();
    expect(accounts.find((a) => a.id === FAULTY)).toMatchObject({ address: t.peer.address, balance: 1000 * UNITS_PER_BCC, stake: 0 });
    for (const i of HONEST) expect(accounts.find((a) => a.id === i)!.stake).toBe(10 * UNITS_PER_BCC);
    await expectSameAccountsAndSupply();
  });

  it('commits and agrees while the faulty node refuses everything', async () => {
    const ids = await honestTraffic('reject');
    await waitCommitted(t.clients, ids);
    await waitAgreement(t.clients);
    await expectSameAccountsAndSupply();
    // it was sent the honest nodes' transactions and blocks, and refused them
    expect(t.peer.served.get('POST /peer/transactions') ?? 0).toBeGreaterThan(0);
    expect(t.peer.served.get('POST /peer/blocks') ?? 0).toBeGreaterThan(0);
    const inbox = await t.clients[1]!.inbox();
    expect(inbox.some((m) => m.message === 'reject from 0')).toBe(true);
    await expectHonestUp();
  });

  it('commits and agrees while the faulty node sends invalid transactions and blocks', async () => {
    const before = await Promise.all(t.clients.map((c) => rejectedByCode(c, true)));
    t.peer.setMode('garbage');
    await waitFor('a few rounds of garbage', async () => t.peer.rounds >= 12, 20_000);
    const ids = await honestTraffic('garbage');
    await waitCommitted(t.clients, ids);
    // Still under fire: every honest node on the same last block, and nothing of an honest
    // sender left pending. Not harness.waitAgreement, which also wants empty pools: the honest
    // nodes keep the faulty node's transfer of more than the whole supply pending until it has
    // waited the pool's maxAgeBlocks (1000 blocks), although it can never become valid (an
    // empty pool passes this check too).
    const agree = async () => {
      const statuses = await Promise.all(t.clients.map((c) => c.status()));
      if (!statuses.every((s) => s.last_hash === statuses[0]!.last_hash)) return false;
      const pools = await Promise.all(
        statuses.map((s) => fetch(`http://127.0.0.1:${t.net.ports[s.id]}/pool`).then((r) => r.json() as Promise<Transaction[]>)),
      );
      return pools.every((p) => p.every((tx) => tx.sender === t.peer.address));
    };
    await waitFor('the honest nodes to agree while the faulty node sends garbage', agree, 30_000);
    expect(t.peer.rounds).toBeGreaterThanOrEqual(12);
    await t.peer.quiet();
    await waitFor('the honest nodes to agree after the garbage', agree, 30_000);
    await expectSameAccountsAndSupply();
    await expectHonestUp();

    // every honest node refused the invalid transactions, for the reasons they were built to fail
    const after = await Promise.all(t.clients.map((c) => rejectedByCode(c)));
    expect(after).toHaveLength(HONEST.length);
    for (const [i, counts] of after.entries()) {
      for (const code of REJECTIONS) expect(counts.get(code)! - before[i]!.get(code)!, `node ${i} ${code}`).toBeGreaterThan(0);
    }
    // no request made an honest node fail (5xx) or go unanswered (0)
    for (const [kind, byStatus] of t.peer.sent) {
      for (const status of byStatus.keys()) expect(status === 0 || status >= 500, `${kind} got ${status}`).toBe(false);
    }
    // every invalid block at the next index was refused, for its own reason (a block built on a
    // tip that moved meanwhile may instead be refused as conflicting, or kept as ahead of a node
    // that is one block behind), and no invalid block was ever committed
    const answers = (kind: BlockKind) => [...(t.peer.blockAnswers.get(kind) ?? [])];
    const reasons: Array<[BlockKind, string]> = [
      ['not-validator', 'WRONG_VALIDATOR'],
      ['wrong-previous', 'BAD_PREVIOUS_HASH'],
      ['over-capacity', 'BAD_BLOCK_SIZE'],
      ['tampered-hash', 'BAD_HASH'],
      ['forged-signature', 'BAD_SIGNATURE'],
    ];
    for (const [kind, reason] of reasons) {
      expect(answers(kind), kind).toContain(reason);
      for (const a of answers(kind)) expect([reason, 'CONFLICT', 'BAD_INDEX', 'queued', 'known'], `${kind}: ${a}`).toContain(a);
    }
    // one ahead of the tip, sealed by a member, may be kept until the gap fills; never committed
    expect(answers('ahead').length).toBeGreaterThan(0);
    expect(
      answers('ahead').every((r) => r !== 'committed'),
      answers('ahead').join(),
    ).toBe(true);
    expect(t.peer.sent.get('schema')!.get(400)).toBeGreaterThan(0);

    // and the honest nodes still commit from every node once the garbage stops
    const more = await honestTraffic('after');
    await waitCommitted(t.clients, more);
    await waitFor('agreement after the garbage', agree, 30_000);
    await expectSameAccountsAndSupply();
  });

  it('a node that fell behind catches up, and is ready, even while the faulty node claims a far greater height and justified checkpoint', async () => {
    // Node 2 withdraws its stake first, so that the network does not wait a round for it while it is down.
    const withdraw = await t.clients[2]!.submit({ type: 'stake', amount: 0 });
    await waitCommitted(t.clients, [withdraw.id]);
    await t.net.stopNode(2, true);
    const ids: string[] = [];
    for (let k = 0; k < 6; k++) ids.push((await t.clients[k % 2]!.submit({ type: 'coins', to: (k + 1) % 2, amount: 5 })).id);
    await waitCommitted(t.clients.slice(0, 2), ids);
    t.peer.lieAboutHeight = true;
    try {
      await t.net.restartNode(2);
      const height = (await t.clients[0]!.status()).height;
      await waitFor('node 2 to catch up past the lying peer', async () => (await t.clients[2]!.status()).height >= height, 30_000);
      expect((await t.clients[2]!.status()).last_hash).toBe((await t.clients[0]!.status()).last_hash);
      // the peer repeats a claim that gave nothing: left alone for a while, so node 2 counts as caught up
      await waitFor('node 2 ready while the peer still lies', async () => {
        const { status, body } = await raw(t.net.ports[2]!, 'GET', '/readyz');
        return status === 200 && body.caught_up === true;
      });
    } finally {
      t.peer.lieAboutHeight = false;
    }
  });
});
