/**
 * What a node's wallet accepted outlives the node's process (docs/protocol.md, "Liveness", "The
 * wallet's journal"): a transaction accepted while no peer could be reached exists in that
 * node's pool only; the node is then killed. Restarted, it puts the transaction back into its
 * pool from its journal and sends it to its peers, and the network commits it; its wallet's next
 * nonce follows it. (Without the journal the transaction died with the process, and the
 * restarted wallet gave its nonce to the next one.)
 */
import { describe, expect, it } from 'vitest';
import { useNetwork, waitCommitted } from './harness.js';

const N = 3;
const t = useNetwork(N, 5);

describe("the wallet's journal", () => {
  it('a transaction accepted while the peers were down, its node then killed, is committed after the restarts', async () => {
    const [bootstrap, member, other] = [0, 1, 2];
    const you = (await t.clients[other]!.status()).address;
    // The member's peers go down: what it accepts now reaches no one.
    await t.net.stopNode(bootstrap);
    await t.net.stopNode(other);
    const sent = await t.clients[member]!.submit({ type: 'coins', to: you, amount: 123 });
    expect((await t.clients[member]!.transaction(sent.id)).status).toBe('pending');

    // The member dies with it; then everyone comes back, the member last.
    await t.net.stopNode(member, true);
    for (const i of [bootstrap, other, member]) {
      await t.net.restartNode(i);
      t.clients[i] = t.client(i);
    }

    await waitCommitted(t.clients, [sent.id], 120_000);
    // (the restarted wallet opened before the commit: its catch-up and pool repair are over)
    const next = await t.clients[member]!.submit({ type: 'coins', to: you, amount: 1 });
    expect(next.nonce).toBe(sent.nonce + 1);
    await waitCommitted(t.clients, [next.id], 60_000);
  }, 300_000);
});
