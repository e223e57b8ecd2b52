/**
 * Reaching the nodes of a running network, for the tester, the load generator and the benchmark:
 * authenticated clients (by URL with a token, or by port with the token files of this machine),
 * waiting until the network is ready, and whether every node holds the same last block.
 */
import { ApiError, NodeClient } from '../../client/api.js';
import { readToken } from '../api/token.js';
import type { StatusView } from '../api/types.js';
import type { Endpoint } from './endpoints.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Builds authenticated clients of nodes given by URL, or throws naming the first without a token. */
export function endpointClients(endpoints: readonly Endpoint[]): NodeClient[] {
  return endpoints.map((e) => {
    if (!e.token) throw new Error(`no API token for the node at ${e.url}: pass --token-file or set BLOCKCHAT_TOKEN`);
    return new NodeClient(e.url, e.token);
  });
}

/** Builds authenticated clients of every node, or throws with the reason. */
export function walletClients(host: string, basePort: number, n: number, dataDirs?: readonly string[]): NodeClient[] {
  const clients: NodeClient[] = [];
  for (let i = 0; i < n; i++) {
    const port = basePort + i;
    const token = readToken(port, dataDirs?.[i]);
    if (!token) {
      throw new Error(
        `cannot read the API token of the node on port ${port}: the tester must run on the machine of the nodes ` +
          `(is node ${i} running on port ${port}?)`,
      );
    }
    clients.push(NodeClient.forPort(port, host, token));
  }
  return clients;
}

/**
 * Waits until every node answers and reports ready, and checks that the network has n nodes.
 * Returns each client's status, in the order of `clients`.
 */
export async function waitReady(clients: readonly NodeClient[], n: number, timeoutMs = 60_000): Promise<StatusView[]> {
  const deadline = Date.now() + timeoutMs;
  let lastReason: string;
  // A node that does not answer at all fails fast; one that answers but is not ready is waited for.
  let unreachableSince: number | undefined;
  for (;;) {
    try {
      const statuses = await Promise.all(clients.map((c) => c.status()));
      unreachableSince = undefined;
      const wrong = statuses.find((s) => s.n !== n);
      if (wrong) throw new Error(`node ${wrong.id} belongs to a network of ${wrong.n} nodes, not ${n}`);
      if (statuses.every((s) => s.ready)) return statuses;
      lastReason = `not ready yet: node(s) ${statuses
        .filter((s) => !s.ready)
        .map((s) => s.id)
        .join(', ')}`;
    } catch (err) {
      if (err instanceof Error && !(err instanceof ApiError)) throw err;
      lastReason = err instanceof Error ? err.message : String(err);
      if (err instanceof ApiError && err.status === 0) {
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > 5_000) throw new Error(lastReason, { cause: err });
      }
    }
    if (Date.now() > deadline) throw new Error(`the network is not ready: ${lastReason}`);
    await sleep(250);
  }
}

/** Whether every node has the same last block; retries a little while blocks propagate. */
export async function checkAgreement(clients: readonly NodeClient[], waitMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const tips = await Promise.all(clients.map((c) => c.latestBlock()));
      if (tips.every((b) => b.current_hash === tips[0]?.current_hash)) return true;
    } catch {
      // an unreachable node does not agree
    }
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}
