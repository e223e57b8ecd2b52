/**
 * A bootstrap killed after every member joined but before each got its announcement
 * (docs/protocol.md, "Forming the network"): three hosts (network namespaces, so that a member can
 * be cut off without stopping it); node 1's link is down when the n-th node joins, so that only
 * node 2 gets its announcement; once the bootstrap has sent the fundings (its sends to node 1
 * failing meanwhile, most often: no route to it), it is SIGKILLed and restarted from its data
 * directory, and node 1's link restored. The restarted bootstrap announces to node 1, which
 * waited all along, and funds no member twice (each exactly once, node i with the bootstrap's nonce i − 1): the
 * network becomes ready and commits a transfer.
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { readToken } from '../../src/api/token.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { withoutNodeSettings } from '../../src/node/settings.js';
import { freePortBase, mainScript, readyTimeout } from '../../src/tools/network.js';
import { stopProcess, waitAgreement, waitCommitted, waitFor } from './harness.js';
import { describeOnHosts, useHosts } from './netns.js';

const N = 3;
describeOnHosts('bootstrap-restart-announcing.test.ts', 'a bootstrap killed while announcing, then restarted', () => {
  const used = useHosts(N, 'blockchat-restart-announcing-');

  it('announces to the member it had not reached and funds every member exactly once', async () => {
    const { hosts: h, dataDir } = used;
    const base = await freePortBase(N);
    const url = (i: number) => `http://${h.addresses[i]}:${base + i}`;
    /** `blockchat node` i on host i with its data directory; `args` for a first start, none for a restart. */
    const start = (i: number, args: string[]) => {
      const node = [...NODE_FLAGS, mainScript(), 'node', '-p', String(base + i), '--host', h.addresses[i]!, '--data-dir', dataDir(i)];
      const [cmd, ...rest] = [...h.exec(i), process.execPath, ...node, '--quiet', ...args];
      const child = spawn(cmd!, rest, { env: withoutNodeSettings(process.env), stdio: 'ignore' });
      used.children.push(child);
      return child;
    };
    const first = ['-n', String(N), '-capacity', '5', '--bootstrap-url', url(0)];
    const bootstrap = new NodeClient(url(0));
    const joined = (count: number) => waitFor(`${count} nodes joined`, async () => (await bootstrap.status()).joined === count, 60_000);

    const before = start(0, [...first, '-bootstrap']);
    await joined(1);
    start(1, first);
    await joined(2);
    h.link(1, false); // node 1 waits for its announcement, unreachable
    start(2, first);
    await joined(3);
    const node2 = new NodeClient(url(2));
    await waitFor('node 2 to accept its announcement', async () => (await node2.blocks(0, 1)).length === 1, 60_000);
    await expect(new NodeClient(url(1)).status()).rejects.toMatchObject({ status: 0 }); // still cut off
    // Killed only once it has sent both fundings: funding waits for the announcements (at most
    // 10 s), so by then its send to node 1 has mostly failed already (no route to it).
    const { address } = await bootstrap.status();
    await waitFor('the bootstrap to send both fundings', async () => (await bootstrap.nonce(address)).next_nonce >= N - 1, 60_000);
    await stopProcess(before, 'SIGKILL');
    start(0, []); // from its data directory
    h.link(1, true);

    const clients = [0, 1, 2].map((i) => new NodeClient(url(i), readToken(0, dataDir(i))));
    await waitFor(
      'every node ready',
      async () => (await Promise.all(clients.map((c) => c.status()))).every((s) => s.ready),
      readyTimeout(N),
    );
    expect((await Promise.all(clients.map((c) => c.status()))).map((s) => s.id)).toEqual([0, 1, 2]);

    const { id } = await clients[1]!.submit({ type: 'coins', to: 2, amount: 5 * UNITS_PER_BCC });
    await waitCommitted(clients, [id]);
    await waitAgreement(clients);
    // Each member funded exactly once, node i with the bootstrap's nonce i − 1.
    const accounts = await clients[0]!.accounts();
    const addressOf = (i: number) => accounts.find((a) => a.id === i)!.address;
    const status = await clients[0]!.status();
    const blocks = await clients[0]!.blocks(0, status.height + 1);
    const funding = blocks.flatMap((b) => b.transactions).filter((tx) => tx.sender === addressOf(0) && tx.type === 'coins');
    expect(funding.map((tx) => [tx.receiver, tx.amount, tx.nonce])).toEqual([
      [addressOf(1), 1000 * UNITS_PER_BCC, 0],
      [addressOf(2), 1000 * UNITS_PER_BCC, 1],
    ]);
  }, 300_000);
});
