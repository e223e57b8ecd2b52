/**
 * A real 5-node network on loopback (SPEC A, C): it forms, commits concurrent transfers,
 * messages and stake changes from every node through the REST API and the CLI, ends with every
 * node on the same chain and the supply conserved, refuses invalid inputs with their reasons
 * without changing anything, and a node that missed blocks catches up.
 */
import { join } from 'node:path';
import * as secp from '@noble/secp256k1';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/core/crypto.js';
import { headerOf, signBlockV2 } from '../../src/core/blockv2.js';
import { headerHash } from '../../src/core/header.js';
import { signTransaction } from '../../src/core/transaction.js';
import { totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import type { Transaction } from '../../src/core/types.js';
import { cli, useNetwork, memberHeaders, raw, snapshot, supply, waitAgreement, waitCommitted, waitFor, walletKey } from './harness.js';

const N = 5;
const CAPACITY = 5;
const t = useNetwork(N, CAPACITY);
let domain: string;

beforeAll(async () => {
  const [genesis] = await t.clients[0]!.blocks(0, 1);
  domain = genesis!.current_hash;
}, 90_000);

describe('a 5-node network', () => {
  it('forms: ids follow join order, every node funded and staked, one genesis', async () => {
    const statuses = await Promise.all(t.clients.map((c) => c.status()));
    expect(statuses.map((s) => s.id)).toEqual([0, 1, 2, 3, 4]);
    expect(statuses.every((s) => s.ready && s.n === N && s.capacity === CAPACITY)).toBe(true);
    const accounts = await t.clients[2]!.accounts();
    for (let id = 0; id < N; id++) expect(accounts.find((a) => a.id === id)!.stake).toBe(10 * UNITS_PER_BCC);
    expect(supply(accounts)).toBe(totalSupply(N));
    const geneses = await Promise.all(t.clients.map((c) => c.blocks(0, 1)));
    expect(new Set(geneses.map((g) => g[0]!.current_hash)).size).toBe(1);
  });

  it('commits concurrent transfers, messages and stake changes from every node', async () => {
    const ids: string[] = [];
    await Promise.all(
      t.clients.map(async (c, i) => {
        for (let k = 0; k < 6; k++) {
          const to = (i + 1 + (k % (N - 1))) % N;
          const r =
            k % 3 === 0
              ? await c.submit({ type: 'message', to, message: `γειά ${i}→${to} #${k} 😀` })
              : await c.submit({ type: 'coins', to, amount: 100 + i * 7 + k });
          ids.push(r.id);
        }
        ids.push((await c.submit({ type: 'stake', amount: (10 + i) * UNITS_PER_BCC })).id);
      }),
    );
    // and one of each through the CLI's one-shot form
    const viaCli = await Promise.all([
      cli(t.ports[1]!, join(t.dataRoot, 'node-1'), 't', 'id2', '9.5'),
      cli(t.ports[3]!, join(t.dataRoot, 'node-3'), 'm', '0', 'hello from the CLI'),
    ]);
    for (const r of viaCli) expect(r.code, r.stderr).toBe(0);
    await waitCommitted(t.clients, ids);
    await waitAgreement(t.clients);
    const views = await Promise.all(t.clients.map((c) => c.accounts()));
    for (const v of views) {
      expect(v).toEqual(views[0]);
      expect(supply(v)).toBe(totalSupply(N));
    }
    for (let i = 0; i < N; i++) expect(views[0]!.find((a) => a.id === i)!.stake).toBe((10 + i) * UNITS_PER_BCC);
    const inbox = await t.clients[0]!.inbox();
    expect(inbox.some((m) => m.message === 'hello from the CLI' && m.from_id === 3)).toBe(true);
  });

  it('takes a batch of wallet requests, answering each item on its own', async () => {
    const results = await t.clients[2]!.submitBatch([
      { type: 'coins', to: 3, amount: 25 },
      { type: 'coins', to: 2, amount: 1 }, // to itself
      { type: 'message', to: 'id4', message: 'batched' },
      { type: 'coins', to: 99, amount: 1 },
      { type: 'stake' }, // no amount: never read as "withdraw everything"
    ]);
    expect(results).toHaveLength(5);
    expect(results[4]).toMatchObject({ error: { statusCode: 400, code: 'MALFORMED' } });
    expect(results[1]).toMatchObject({ error: { statusCode: 422, code: 'SELF_TRANSFER' } });
    expect(results[3]).toMatchObject({ error: { statusCode: 422, code: 'UNKNOWN_RECIPIENT' } });
    const ids = [results[0], results[2]].map((r) => (r && 'id' in r ? r.id : ''));
    expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    await waitCommitted(t.clients, ids);
    const unauthorized = await raw(t.ports[2]!, 'POST', '/wallet/transactions/batch', [{ type: 'coins', to: 3, amount: 1 }]);
    expect(unauthorized.status).toBe(401);
  });

  it('refuses an unaffordable transfer with its reason and changes nothing', async () => {
    await waitAgreement(t.clients);
    const before = await snapshot(t.clients[1]!);
    const err = await t.clients[1]!.submit({ type: 'coins', to: 2, amount: 5000 * UNITS_PER_BCC }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422, code: 'INSUFFICIENT_FUNDS' });
    expect((err as Error).message).toMatch(/costs 515000 units.*available balance is \d+/);
    const r = await cli(t.ports[1]!, join(t.dataRoot, 'node-1'), 't', '2', '5000');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: insufficient funds/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
    expect(await snapshot(t.clients[1]!)).toBe(before);
    expect((await t.clients[1]!.status()).pool).toBe(0);
  });

  it('refuses a replayed transaction with NONCE_USED and changes nothing', async () => {
    const blocks = await t.clients[0]!.blocks(1, 20);
    const committed = blocks.flatMap((b) => b.transactions)[1]!;
    const before = await snapshot(t.clients[3]!);
    const res = await raw(t.ports[3]!, 'POST', '/peer/transactions', [committed], await memberHeaders(t.ports[3]!, walletKey(t, 0)));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('NONCE_USED');
    expect(res.body.message).toMatch(/replay/);
    expect(await snapshot(t.clients[3]!)).toBe(before);
  });

  it('refuses a forged signature with BAD_SIGNATURE and changes nothing', async () => {
    const victim = await t.clients[2]!.wallet();
    const thief = bytesToHex(secp.utils.randomSecretKey());
    const { addressOf } = await import('../../src/core/crypto.js');
    const { txId } = await import('../../src/core/transaction.js');
    // Claims to be from node 2's wallet, signed by another key; the id is honest, the signature is not.
    const body = {
      sender: victim.address,
      receiver: addressOf(thief),
      type: 'coins' as const,
      amount: 50_000,
      message: '',
      nonce: victim.nonce,
    };
    const id = txId(domain, body);
    const { signHash } = await import('../../src/core/crypto.js');
    const withId: Transaction = { ...body, id, signature: signHash(id, thief) };
    const before = await snapshot(t.clients[4]!);
    const res = await raw(t.ports[4]!, 'POST', '/peer/transactions', [withId], await memberHeaders(t.ports[4]!, walletKey(t, 0)));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('BAD_SIGNATURE');
    expect(await snapshot(t.clients[4]!)).toBe(before);
  });

  it('refuses a block from a validator the lottery did not name, and one with a forged signature', async () => {
    await waitAgreement(t.clients);
    const tip = await t.clients[0]!.latestBlock();
    const status = await t.clients[0]!.status();
    const impostorKey = bytesToHex(secp.utils.randomSecretKey());
    const someTx = signTransaction(domain, impostorKey, { receiver: status.address, type: 'message', amount: 0, message: 'x', nonce: 0 });
    const contents = { transactions: [someTx], reveal: 'ab'.repeat(32), votes: [], evidence: [] };
    const wrongValidator = signBlockV2(domain, tip, 0, contents, Date.now(), impostorKey);
    const before = await snapshot(t.clients[1]!);
    const session = await memberHeaders(t.ports[1]!, walletKey(t, 0));
    let res = await raw(t.ports[1]!, 'POST', '/peer/blocks', wrongValidator, session);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('WRONG_VALIDATOR');
    // claims the named validator but is signed by the impostor
    const claimed = { ...wrongValidator, validator: status.next_validator };
    const rehashed = { ...claimed, current_hash: headerHash(domain, headerOf(domain, claimed)) };
    res = await raw(t.ports[1]!, 'POST', '/peer/blocks', rehashed, session);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('BAD_SIGNATURE');
    expect(await snapshot(t.clients[1]!)).toBe(before);
  });

  it('a node that missed blocks catches up', async () => {
    // Node 4 withdraws its stake first, so the lottery never waits for it while it is down.
    const r = await t.clients[4]!.submit({ type: 'stake', amount: 0 });
    await waitCommitted(t.clients, [r.id]);
    await t.net.stopNode(4, true);
    const live = t.clients.slice(0, 4);
    const ids: string[] = [];
    for (let k = 0; k < 12; k++) ids.push((await live[k % 4]!.submit({ type: 'coins', to: (k + 1) % 4, amount: 10 })).id);
    await waitCommitted(live, ids);
    const height = (await live[0]!.status()).height;
    await t.net.restartNode(4);
    const back = t.client(4);
    await waitFor('node 4 to catch up', async () => (await back.status()).height >= height);
    t.clients[4] = back;
    const hash = await waitAgreement(t.clients);
    expect((await back.status()).last_hash).toBe(hash);
    expect(await back.accounts()).toEqual(await t.clients[0]!.accounts());
  });
});
