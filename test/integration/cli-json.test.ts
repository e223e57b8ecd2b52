/**
 * `blockchat cli --json -- …` against a real 2-node network: every one-shot command prints one
 * JSON object on stdout (the REST shapes, in units), and every failure one
 * {"error": {"code", "message"}} with exit code 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../client/help.js';
import { cliJson, launch, waitFinal, type TestNetwork } from './harness.js';

let t: TestNetwork;
let dir = '';
const json = (...args: string[]) => cliJson(t.ports[1]!, dir, ...args);

beforeAll(async () => {
  t = await launch(2, 2);
  dir = join(t.dataRoot, 'node-1');
}, 90_000);

afterAll(() => t?.stop());

describe('blockchat cli --json', () => {
  it('prints one JSON object for each command: the wallet, a sent transaction, its status, block and history', async () => {
    const balance = await json('balance');
    expect(balance.code).toBe(0);
    expect(balance.json).toEqual(await t.clients[1]!.wallet());

    const me = await t.clients[1]!.status();
    expect((await json('whoami')).json).toEqual({ id: 1, address: me.address, url: `http://127.0.0.1:${t.ports[1]}` });

    const sent = await json('t', '0', '2.5');
    expect(sent.code).toBe(0);
    expect(sent.json).toMatchObject({ status: 'pending', type: 'coins', to: 0, amount: 250, fee: 8, cost: 258 });
    const id = sent.json.id as string;
    const message = (await json('m', 'id0', 'hi', 'zero')).json;
    expect(message).toMatchObject({ status: 'pending', type: 'message', to: 0, message: 'hi zero', cost: 700 });
    const stake = (await json('stake', '12')).json;
    expect(stake).toMatchObject({ status: 'pending', type: 'stake', amount: 1200, previous: 1000 });
    // Under protocol version 2 a committed transaction is final within a checkpoint or two; once
    // all three are final the network is idle (no block is due) and its height stays put.
    for (const x of [id, message.id, stake.id] as string[]) await waitFinal(t.clients, x);

    const tx = (await json('tx', id.slice(0, 8))).json;
    expect(tx).toMatchObject({ id, status: 'final', transaction: { id, amount: 250, type: 'coins' } });
    const view = (await json('view', String(tx.block))).json;
    expect(view).toMatchObject({ index: tx.block });
    expect((view.transactions as { id: string }[]).map((x) => x.id)).toContain(id);
    expect((await json('view')).json).toMatchObject({ index: (await t.clients[1]!.status()).height });

    const history = (await json('history', '3')).json as { transactions: { transaction: { id: string }; direction: string }[] };
    expect(history.transactions.map((e) => e.direction)).toEqual(['sent', 'sent', 'sent']);
    expect(history.transactions.map((e) => e.transaction.id)).toContain(id);
    expect((await cliJson(t.ports[0]!, join(t.dataRoot, 'node-0'), 'inbox')).json).toMatchObject({
      messages: [{ message: 'hi zero', from_id: 1 }],
    });
    expect((await json('help')).json).toEqual({ commands: COMMANDS });
  }, 180_000);

  it('prints {"error": {code, message}} and exits 1 for each kind of failure', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'blockchat-no-token-'));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    try {
      const cases: [Promise<Awaited<ReturnType<typeof json>>>, string][] = [
        [json('t', '0', 'abc'), 'USAGE'],
        [json('frobnicate'), 'USAGE'],
        [json('t', '1', '1'), 'SELF_TRANSFER'],
        [json('t', '0', '99999'), 'INSUFFICIENT_FUNDS'],
        [json('stake', '99999'), 'INSUFFICIENT_FUNDS'],
        [json('tx', '00000000'), 'NOT_FOUND'],
        [json('view', '999999'), 'NOT_FOUND'],
        [cliJson(t.ports[1]!, empty, 't', '0', '1'), 'NO_TOKEN'],
        [cliJson(deadPort, dir, 'balance'), 'UNREACHABLE'],
      ];
      for (const [pending, code] of cases) {
        const r = await pending;
        expect(r.code, code).toBe(1);
        expect(r.json, code).toEqual({ error: { code, message: expect.any(String) } });
        expect(r.stderr, code).toBe('');
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 90_000);
});
