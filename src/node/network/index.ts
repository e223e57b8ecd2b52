/**
 * The node's connections to its peers: batched broadcast and requests (peers.ts) over the peer
 * streams or REST (peer-stream.ts), and the resend of pooled transactions no block takes
 * (resend.ts). The peers follow the node's events: the member list, the wallet's new (and, after
 * a restart, journaled) transactions and the blocks this node mints.
 */
import type { NodeEmitter } from '../events.js';
import type { Peers } from './peers.js';

export { Peers, connectOptions, peerClient, urlOf, type PeerCredentials, type PeerTls } from './peers.js';
export { acceptStream, maxBlockFrameBytes, STREAM_PROTOCOL, type FrameKind } from './peer-stream.js';
export { Resend } from './resend.js';

/** Sends what this node creates to every peer, and keeps the peer list current. */
export function subscribePeers(events: NodeEmitter, peers: Peers): void {
  events.on('members', (nodes) => peers.set(nodes));
  events.on('ownTransaction', ({ json }) => peers.broadcastTransaction(json));
  events.on('clientTransaction', (tx) => peers.broadcastTransaction(JSON.stringify(tx)));
  events.on('walletRestored', (txs) => txs.forEach((tx) => peers.broadcastTransaction(JSON.stringify(tx))));
  events.on('minted', ({ json }) => peers.broadcastBlock(json));
  events.on('gossip', ({ votes, evidence, to }) => peers.broadcastVotes(JSON.stringify({ votes, evidence }), to));
}
