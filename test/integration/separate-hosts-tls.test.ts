/**
 * Nodes on separate hosts over TLS (docs/operations.md, "TLS between hosts"): three network
 * namespaces, each node bound to its own address and serving HTTPS with its own certificate, one
 * whose subject alternative name is that address, signed by a CA made here; every node trusts the
 * CA. The network forms across the hosts (join, announcement, sessions, peer streams over TLS),
 * its node list gives https peers at their own addresses, and a transfer commits on every node.
 */
import { beforeAll, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { readToken } from '../../src/api/token.js';
import { UNITS_PER_BCC } from '../../src/core/params.js';
import { trustingAgent, type RunningNetwork } from '../../src/tools/network.js';
import { waitAgreement, waitCommitted } from './harness.js';
import { describeOnHosts, useHosts, type Hosts } from './netns.js';
import { makeCa, makeNodeCert } from './pki.js';

const N = 3;

describeOnHosts('separate-hosts-tls.test.ts', 'nodes on separate hosts over TLS (network namespaces)', () => {
  let ca: string;
  const used = useHosts(N, 'blockchat-hosts-tls-', (hosts, root) => {
    ca = makeCa(root);
    const certs = hosts.addresses.map((address, i) => makeNodeCert(root, `host-${i}`, [address]));
    return { n: N, capacity: 5, tls: { cert: certs.map((c) => c.cert), key: certs.map((c) => c.key), ca } };
  });
  let hosts: Hosts;
  let net: RunningNetwork;
  let clients: NodeClient[];

  beforeAll(() => {
    ({ hosts, net } = used);
    const dispatcher = trustingAgent(ca);
    clients = net.urls.map((u, i) => new NodeClient(u, readToken(0, used.dataDir(i)), 10_000, { dispatcher }));
  });

  it('forms across the hosts with a certificate per host, and a transfer commits on every node', async () => {
    for (let i = 0; i < N; i++) expect(net.urls[i]).toBe(`https://${hosts.addresses[i]}:${net.ports[i]}`);
    const peers = await clients[2]!.peers();
    expect([...peers].sort((a, b) => a.id - b.id).map((p) => `https://${p.host}:${p.port}`)).toEqual(net.urls);
    const { id } = await clients[1]!.submit({ type: 'coins', to: 2, amount: 5 * UNITS_PER_BCC });
    await waitCommitted(clients, [id]);
    await waitAgreement(clients);
  });
});
