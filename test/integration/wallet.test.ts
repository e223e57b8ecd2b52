/**
 * A wallet that is no node's, against a real 3-node network: `blockchat wallet new` makes a key,
 * a node pays it, and the wallet (signing on this machine) sends coins on to another node and a
 * message, through a third node, with POST /transactions. The chain every node serves then
 * replays cleanly by the core's rules, and the wallet's inbox works though it is no node's.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/api/types.js';
import { feeOf } from '../../src/core/fees.js';
import { totalSupply } from '../../src/core/params.js';
import { mainScript } from '../../src/tools/network.js';
import { launch, raw, servedChain, supply, waitAgreement, waitCommitted, type TestNetwork } from './harness.js';

const run = promisify(execFile);
let t: TestNetwork;
/** Port and client index of node `id` (ids follow the order of joining). */
let byId: (id: number) => number;

async function wallet(...args: string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [mainScript(), 'wallet', ...args, '--json'], { timeout: 20_000 });
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown>, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      json: JSON.parse(e.stderr || e.stdout || '{}') as Record<string, unknown>,
      stderr: e.stderr ?? '',
    };
  }
}

beforeAll(async () => {
  t = await launch(3, 2);
  const ids = await Promise.all(t.clients.map(async (c) => (await c.status()).id));
  byId = (id) => ids.indexOf(id);
}, 90_000);

afterAll(() => t?.stop());

describe('blockchat wallet (a key that is no node’s)', () => {
  it('receives coins, sends coins and a message through a node it does not belong to; the chain replays cleanly', async () => {
    const keyFile = join(t.dataRoot, 'me.key');
    const made = await wallet('new', '--key-file', keyFile);
    expect(made.code).toBe(0);
    const address = made.json.address as string;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // Never overwritten.
    expect((await wallet('new', '--key-file', keyFile)).code).toBe(1);
    expect((await wallet('address', '--key-file', keyFile)).json).toEqual({ address });

    const node0 = t.clients[byId(0)]!;
    const node1 = t.clients[byId(1)]!;
    const via = `http://127.0.0.1:${t.ports[byId(2)]}`;
    const funded = await node0.submit({ type: 'coins', to: address, amount: 5_000 });
    await waitCommitted(t.clients, [funded.id]);
    const node1Before = (await node1.wallet()).balance;

    const sent = await wallet('send', '1', '20', '--key-file', keyFile, '--url', via);
    expect(sent.code).toBe(0);
    const message = await wallet('message', '1', 'hello', 'from', 'outside', '--key-file', keyFile, '--url', via);
    expect(message.code).toBe(0);
    expect(message.json.nonce).toBe((sent.json.nonce as number) + 1);
    const ids = [sent.json.id as string, message.json.id as string];
    await waitCommitted(t.clients, ids);

    // Every node agrees, and the whole chain replays by the core's rules to the state it serves.
    await waitAgreement(t.clients);
    const { params, tips } = await servedChain(node1, 3, 2);
    const accounts = await node1.accounts();
    const replayed = tips[tips.length - 1]!.ledger;
    expect(accounts.length).toBe(replayed.size);
    for (const a of accounts) expect(replayed.get(a.address)).toEqual({ balance: a.balance, stake: a.stake, nonce: a.nonce });
    expect(supply(accounts)).toBe(totalSupply(params.n));

    const mine = accounts.find((a) => a.address === address) as AccountView;
    const spent =
      2_000 + feeOf({ type: 'coins', amount: 2_000, message: '' }) + feeOf({ type: 'message', amount: 0, message: 'hello from outside' });
    expect(mine).toMatchObject({ id: null, balance: 5_000 - spent, stake: 0, nonce: 2 });
    expect((await wallet('balance', '--key-file', keyFile, '--url', via)).json).toMatchObject({
      address,
      balance: 5_000 - spent,
      next_nonce: 2,
    });
    // Node 1 got the 20 BCC (and fees when it validated) and the message, from an address that is no node's.
    expect((await node1.wallet()).balance).toBeGreaterThanOrEqual(node1Before + 2_000);
    expect(await node1.inbox()).toContainEqual(
      expect.objectContaining({ id: ids[1], from: address, from_id: null, message: 'hello from outside' }),
    );
    // (agreement under protocol version 2 means every block with transactions is final)
    for (const c of t.clients) expect(await c.transaction(ids[0]!)).toMatchObject({ status: 'final' });

    // Its inbox works though it is no node's.
    const reply = await node1.submit({ type: 'message', to: address, message: 'got it' });
    await waitCommitted(t.clients, [reply.id]);
    const inbox = await wallet('inbox', '--key-file', keyFile, '--url', `http://127.0.0.1:${t.ports[byId(0)]}`);
    expect(inbox.json.messages).toEqual([expect.objectContaining({ id: reply.id, sender_id: 1, message: 'got it' })]);
  }, 120_000);

  it('POST /transactions refuses what a peer would refuse, with the same codes; GET /transactions finds an id by prefix', async () => {
    const port = t.ports[byId(2)]!;
    const [committed] = (await t.clients[byId(0)]!.blocks(1, 1))[0]!.transactions;
    expect(committed).toBeDefined();
    // A replay of a committed transaction, a forged signature, an unknown field.
    expect((await raw(port, 'POST', '/transactions', committed)).body.code).toBe('NONCE_USED');
    const forged = { ...committed!, nonce: committed!.nonce + 50, signature: 'ab'.repeat(64) };
    const refused = await raw(port, 'POST', '/transactions', forged);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('BAD_ID');
    expect((await raw(port, 'POST', '/transactions', { ...committed, extra: 1 })).status).toBe(400);
    // Found by the first characters of its id, with its block.
    const found = await raw(port, 'GET', `/transactions?prefix=${committed!.id.slice(0, 9)}`);
    expect(found.body).toEqual([{ id: committed!.id, status: 'final', block: 1 }]); // formation's blocks are final by now
    expect((await raw(port, 'GET', '/transactions?prefix=abc')).status).toBe(400);
  }, 30_000);
});
