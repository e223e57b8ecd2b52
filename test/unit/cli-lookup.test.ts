/**
 * The CLI's lookups against a fake node (fake-node.ts): `tx` by whole id or prefix, `view N`,
 * `history`, `whoami`, `stake` as a new total, and the data each command gives to --json.
 */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { runCli, type CliIo } from '../../client/cli.js';
import { executeCommand, type CommandContext, type CommandResult } from '../../client/commands.js';
import { COMMANDS } from '../../client/help.js';
import type { Block, Transaction } from '../../src/api/types.js';
import { FakeNode, TOKEN, addr, block, tx } from './fake-node.js';

const fake = new FakeNode();
let ctx: CommandContext;

/** A transaction id: 64 hex characters from a name. */
const hex = (name: string): string => createHash('sha256').update(name).digest('hex');
const [G, A, B, C, D, E, P, Q] = ['genesis', 'a', 'b', 'c', 'd', 'e', 'p', 'q'].map(hex) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];

/** Node 0 (the CLI's) got the genesis coins, paid 1 and 2, got a message from 1, staked; 2 paid 3. */
function setChain(): void {
  fake.state.chain = [
    block(0, [tx('0', addr(0), 'coins', 400_000, '', G)], '0'),
    block(1, [tx(addr(0), addr(1), 'coins', 100_000, '', A, 0), tx(addr(0), addr(2), 'coins', 100_000, '', B, 1)]),
    block(2, [tx(addr(1), addr(0), 'message', 0, 'hi zero', C, 0), tx(addr(2), addr(3), 'coins', 500, '', D, 0)]),
    block(3, [tx(addr(0), '0', 'stake', 1000, '', E, 2)]),
  ];
  fake.state.pool = [tx(addr(0), addr(3), 'coins', 250, '', P, 3), tx(addr(2), addr(1), 'message', 0, 'not mine', Q, 1)];
}

/** A chain of `count` blocks of one transaction each between nodes 2 and 3, plus `extra` in block `at`. */
function longChain(count: number, at: number, extra: Transaction): Block[] {
  return Array.from({ length: count }, (_, i) =>
    block(i, i === at ? [extra] : [tx(addr(2), addr(3), 'coins', 100, '', hex(`filler-${i}`), i)]),
  );
}

const run = (line: string): Promise<CommandResult> => executeCommand(line, ctx);

beforeAll(async () => {
  const port = await fake.start();
  ctx = { api: new NodeClient(`http://127.0.0.1:${port}`, TOKEN), baseUrl: `http://127.0.0.1:${port}` };
});

afterAll(() => fake.stop());

beforeEach(() => {
  fake.reset();
  setChain();
});

describe('tx', () => {
  it('takes the whole id or its first 8 or more characters, and shows status, block and every field', async () => {
    const whole = await run(`tx ${A}`);
    expect(whole.ok).toBe(true);
    expect(whole.output.split('\n')).toEqual([
      `tx ${A}`,
      '  status   committed in block 1',
      '  stage    pending → [committed] → final',
      '  type     coins',
      `  from     id0  ${addr(0)}`,
      `  to       id1  ${addr(1)}`,
      '  amount   1000.00 BCC',
      '  fee      30.00 BCC',
      '  nonce    0',
    ]);
    expect(whole.data).toMatchObject({ id: A, status: 'committed', block: 1, transaction: { id: A, amount: 100_000 } });
    for (const prefix of [A.slice(0, 8), A.slice(0, 12).toUpperCase(), A.slice(0, 63)]) {
      const r = await run(`tx ${prefix}`);
      expect(r.output, prefix).toBe(whole.output);
    }
  });

  it('finds a pending transaction in the pool, and says so', async () => {
    const r = await run(`tx ${P.slice(0, 10)}`);
    expect(r.data).toMatchObject({ id: P, status: 'pending', transaction: { id: P } });
    expect(r.output.split('\n').slice(1, 3)).toEqual([
      '  status   pending (in the pool, not yet in a block)',
      '  stage    [pending] → committed → final',
    ]);
  });

  it('shows a transaction at or below the finalised checkpoint as final, the last stage', async () => {
    fake.state.finalHeight = 1;
    const r = await run(`tx ${A.slice(0, 8)}`);
    expect(r.data).toMatchObject({ id: A, status: 'final', block: 1 });
    expect(r.output.split('\n').slice(1, 3)).toEqual([
      '  status   final in block 1 (it can no longer be undone)',
      '  stage    pending → committed → [final]',
    ]);
    // One block above the checkpoint is committed, not final.
    const later = await run(`tx ${C.slice(0, 8)}`);
    expect(later.data).toMatchObject({ id: C, status: 'committed', block: 2 });
    expect(later.output).toContain('  stage    pending → [committed] → final');
  });

  it('finds a transaction in a block more than a page (500 blocks) behind the last', async () => {
    const target = tx(addr(1), addr(2), 'message', 0, 'old', hex('old'), 0);
    fake.state.chain = longChain(1200, 3, target);
    const r = await run(`tx ${target.id.slice(0, 8)}`);
    expect(r.error).toBeUndefined();
    expect(r.data).toMatchObject({ id: target.id, status: 'committed', block: 3 });
  });

  it('reports a dropped transaction with its reason', async () => {
    const dropped = hex('dropped');
    fake.state.dropped[dropped] = 'its nonce was used by another transaction';
    const r = await run(`tx ${dropped}`);
    expect(r.ok).toBe(true);
    expect(r.data).toMatchObject({
      id: dropped,
      status: 'dropped',
      reason: 'its nonce was used by another transaction',
      transaction: null,
    });
  });

  it('refuses what is not an id, and says when a prefix names no transaction or several', async () => {
    const twin = `${A.slice(0, 8)}${'0'.repeat(56)}`;
    fake.state.pool.push(tx(addr(1), addr(2), 'coins', 1, '', twin, 5));
    const cases: [string, string][] = [
      ['tx', 'USAGE'],
      [`tx ${A} ${B}`, 'USAGE'],
      [`tx ${A.slice(0, 7)}`, 'USAGE'],
      ['tx nothexxx', 'USAGE'],
      [`tx ${A}0`, 'USAGE'],
      ['tx 00000000', 'NOT_FOUND'],
      [`tx ${hex('never sent')}`, 'NOT_FOUND'],
      [`tx ${A.slice(0, 8)}`, 'AMBIGUOUS'],
    ];
    for (const [line, code] of cases) {
      const r = await run(line);
      expect(r.ok, line).toBe(false);
      expect(r.error?.code, line).toBe(code);
      expect(r.output, line).not.toContain('\n');
    }
    expect((await run(`tx ${A.slice(0, 9)}`)).data).toMatchObject({ id: A });
  });
});

describe('view N', () => {
  it('shows block N, the last block without N, and refuses a block past the last or a non-number', async () => {
    const first = await run('view 1');
    expect(first.output.split('\n')[0]).toMatch(/^block 1 {2}validator id3 /);
    expect(first.output).toContain(`${A.slice(0, 12)}  id0      → id1`);
    expect(first.data).toMatchObject({ index: 1 });
    expect((await run('view')).data).toMatchObject({ index: 3 });
    expect((await run('view 4')).error?.code).toBe('NOT_FOUND');
    for (const bad of ['view -1', 'view x', 'view 1 2', 'view 1.5']) expect((await run(bad)).error?.code, bad).toBe('USAGE');
  });
});

describe('history', () => {
  it("lists this wallet's sent and received transactions, pending first, then newest block first", async () => {
    const r = await run('history');
    const rows = (r.data as { transactions: { transaction: Transaction; block: number | null; direction: string }[] }).transactions;
    expect(rows.map((e) => [e.transaction.id, e.block, e.direction])).toEqual([
      [P, null, 'sent'],
      [E, 3, 'sent'],
      [C, 2, 'received'],
      [B, 1, 'sent'],
      [A, 1, 'sent'],
      [G, 0, 'received'],
    ]);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('the last 6 transactions of node 0, newest first:');
    expect(lines[1]).toMatch(new RegExp(`^  pending +${P.slice(0, 12)}  sent +coins +2\\.50 BCC to id3  costs 2\\.58 BCC$`));
    expect(lines[3]).toMatch(new RegExp(`^  block 2 +${C.slice(0, 12)}  received +message +"hi zero" from id1$`));
    expect((await run('history 2')).data).toMatchObject({ transactions: [{ transaction: { id: P } }, { transaction: { id: E } }] });
  });

  it('pages back through a chain longer than 500 blocks', async () => {
    const mine = tx(addr(1), addr(0), 'coins', 700, '', hex('mine'), 0);
    fake.state.chain = longChain(1200, 2, mine);
    fake.state.pool = [];
    expect((await run('history')).data).toMatchObject({
      transactions: [{ transaction: { id: mine.id }, block: 2, direction: 'received' }],
    });
  });

  it('says when there is nothing, and refuses a count that is not 1 to 10000', async () => {
    fake.state.chain = [block(0, [tx('0', addr(1), 'coins', 400_000, '', G)], '0')];
    fake.state.pool = [];
    expect((await run('history')).output).toBe('node 0 has sent and received nothing yet');
    for (const bad of ['history 0', 'history 10001', 'history x', 'history 1 2']) expect((await run(bad)).error?.code, bad).toBe('USAGE');
  });
});

describe('whoami, stake, and commands that take nothing', () => {
  it("whoami and address show the node's id, whole address and URL", async () => {
    for (const word of ['whoami', 'address']) {
      const r = await run(word);
      expect(r.output).toBe(`node 0 at ${ctx.baseUrl}\n  address ${addr(0)}`);
      expect(r.data).toEqual({ id: 0, address: addr(0), url: ctx.baseUrl });
    }
  });

  it('stake says that the amount is the new total; a stake the wallet cannot pay says what it would take', async () => {
    const up = await run('stake 20');
    expect(up.output).toMatch(/^new stake of 20\.00 BCC sent: a new total, not an addition \(it was 10\.00 BCC, so 10\.00 BCC moves/);
    expect(up.data).toMatchObject({ type: 'stake', amount: 2000, previous: 1000, status: 'pending' });
    const tooMuch = await run('stake 600');
    expect(tooMuch.error?.code).toBe('INSUFFICIENT_FUNDS');
    // It says that stake is a total, from 10.00 to 600.00, taking 590.00 of the 500.00 available.
    for (const part of ['new total', '10.00 BCC', '600.00 BCC', '590.00 BCC', '500.00 BCC']) expect(tooMuch.output).toContain(part);
  });

  it('balance, inbox, whoami and help take nothing after them', async () => {
    for (const line of ['balance now', 'inbox 2', 'whoami x', 'help t']) expect((await run(line)).error?.code, line).toBe('USAGE');
  });

  it('help lists every command of the table, and its data is the table', async () => {
    const r = await run('help');
    expect(COMMANDS.length).toBeGreaterThan(0);
    for (const c of COMMANDS) expect(r.output).toContain(c.usage);
    expect(r.data).toEqual({ commands: COMMANDS });
  });
});

/** In-process runCli closes the shared HTTP pool when it returns, so this runs last. */
describe('runCli --json', () => {
  it('prints one JSON object per command, {"error": {code, message}} for a failure, and exits 1 if any failed', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const input = new PassThrough();
    input.end(`balance\n\ntx ${A.slice(0, 8)}\nt 3 1.234\nwhoami\n`);
    const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), input };
    const code = await runCli({ port: fake.port, host: '127.0.0.1', dataDir: undefined, json: true, command: [] }, io);
    expect(code).toBe(1);
    expect(err).toEqual([]);
    const answers = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(answers).toHaveLength(4);
    expect(answers[0]).toEqual(fake.state.wallet);
    expect(answers[1]).toMatchObject({ id: A, status: 'committed', block: 1 });
    expect(answers[2]).toEqual({ error: { code: 'USAGE', message: expect.any(String) } });
    expect(answers[3]).toMatchObject({ id: 0, address: addr(0) });
  });
});
