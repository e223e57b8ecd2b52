/**
 * The CLI against a fake node (fake-node.ts): parsing, the commands that spend and read, the
 * one-shot command and piped lines. Lookups, history and --json: cli-lookup.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NodeClient } from '../../client/api.js';
import { runCli, type CliIo } from '../../client/cli.js';
import { executeCommand, parseAmount, parseRecipient, type CommandContext } from '../../client/commands.js';
import { formatBalance, formatInbox, unitsToBcc } from '../../client/format.js';
import { FakeNode, TOKEN, addr, block, tx } from './fake-node.js';

const fake = new FakeNode();
let port = 0;
let deadPort = 0;
let ctx: CommandContext;

beforeAll(async () => {
  port = await fake.start();
  // A port that nothing listens on: bind one, then free it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  ctx = { api: new NodeClient(`http://127.0.0.1:${port}`, TOKEN), baseUrl: `http://127.0.0.1:${port}` };
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
});

describe('parsing', () => {
  it('reads recipients: 3, id3, an address, and rejects the rest', () => {
    expect(parseRecipient('3')).toBe(3);
    expect(parseRecipient('id3')).toBe(3);
    expect(parseRecipient('ID12')).toBe(12);
    expect(parseRecipient('0')).toBe(0);
    expect(parseRecipient(addr(1))).toBe(addr(1));
    expect(parseRecipient(addr(1).toUpperCase())).toBe(addr(1));
    for (const bad of ['x', 'id', 'id-1', '-1', '3.5', 'abc', '02' + '00'.repeat(32), addr(1).slice(2), '']) {
      expect(parseRecipient(bad), bad).toBeUndefined();
    }
  });

  it('reads amounts in BCC with up to 2 decimals as units', () => {
    expect(parseAmount('9')).toBe(900);
    expect(parseAmount('9.5')).toBe(950);
    expect(parseAmount('0.27')).toBe(27);
    expect(parseAmount('0')).toBe(0);
    for (const bad of ['9.555', '-1', 'abc', '1e3', '', '9,5', '.5']) {
      expect(() => parseAmount(bad), bad).toThrow(/is not an amount/);
    }
  });

  it('writes node reasons in BCC', () => {
    expect(unitsToBcc('insufficient funds: the transaction costs 97850 units and the available balance is 50000')).toBe(
      'insufficient funds: the transaction costs 978.50 BCC and the available balance is 500.00 BCC',
    );
    expect(unitsToBcc('the available balance is 500.00 BCC')).toBe('the available balance is 500.00 BCC');
  });
});

describe('commands that spend', () => {
  it('t id3 9.5 posts {type: coins, to: 3, amount: 950} with the token, and shows the cost', async () => {
    const r = await executeCommand('t id3 9.5', ctx);
    expect(r.ok).toBe(true);
    expect(fake.state.posts).toEqual([{ auth: `Bearer ${TOKEN}`, body: { type: 'coins', to: 3, amount: 950 } }]);
    expect(r.output).toContain('9.79 BCC'); // 9.50 + ceil(3% of 950 units) = 29 units
    expect(r.output).toContain('9.50 + 0.29 fee');
    // The whole id on a line of its own, to copy into `tx`.
    expect(r.output.split('\n')).toEqual([
      expect.stringMatching(/^sent 9\.50 BCC to id3: /),
      `  tx ${'0123456789abcdef'.repeat(4)} pending`,
    ]);
  });

  it('t to an address passes the address through; 0.27 is 27 units', async () => {
    const r = await executeCommand(`t ${addr(1)} 0.27`, ctx);
    expect(r.ok).toBe(true);
    expect(fake.state.posts[0]?.body).toEqual({ type: 'coins', to: addr(1), amount: 27 });
    expect(r.output).toContain('0.28 BCC'); // 27 + ceil(0.81) = 28 units
  });

  it('m 2 hello world posts the whole rest of the line and shows 1 BCC per character', async () => {
    const r = await executeCommand('m 2 hello world', ctx);
    expect(r.ok).toBe(true);
    expect(fake.state.posts[0]?.body).toEqual({ type: 'message', to: 2, message: 'hello world' });
    expect(r.output).toContain('11.00 BCC');
    const u = await executeCommand('m id1   γειά σου   κόσμε ✓ ', ctx);
    expect(u.ok).toBe(true);
    expect(fake.state.posts[1]?.body).toEqual({ type: 'message', to: 1, message: 'γειά σου   κόσμε ✓' });
    expect(u.output).toContain('18.00 BCC (18 characters)');
  });

  it('stake 20 posts amount 2000; stake 0 withdraws', async () => {
    expect((await executeCommand('stake 20', ctx)).ok).toBe(true);
    expect((await executeCommand('stake 0', ctx)).output).toContain('withdrawal');
    expect(fake.state.posts.map((p) => p.body)).toEqual([
      { type: 'stake', amount: 2000 },
      { type: 'stake', amount: 0 },
    ]);
  });

  it('a 422 from the node is one line with the reason in BCC, and a failure', async () => {
    const r = await executeCommand('t 3 950', ctx);
    expect(r.ok).toBe(false);
    expect(r.output).toBe('error: insufficient funds: the transaction costs 978.50 BCC and the available balance is 500.00 BCC');
    const self = await executeCommand('t 0 1', ctx);
    expect(self.ok).toBe(false);
    expect(self.output).toMatch(/^error: sender and receiver must differ/);
    expect(self.output).not.toContain('\n');
    const unknown = await executeCommand('m id9 hi', ctx);
    expect(unknown.output).toBe('error: no node or address 9');
  });

  it('bad input is rejected locally, before anything is posted', async () => {
    const cases: [string, RegExp][] = [
      ['t 3 9.555', /^error: '9\.555' is not an amount/],
      ['t 3 -1', /^error: '-1' is not an amount/],
      ['t 3 0', /^error: the amount must be more than 0$/],
      ['t bob 1', /^error: 'bob' is not a recipient/],
      ['t 3', /^error: usage: t <recipient> <amount>/],
      ['t 3 1 2', /^error: usage: t/],
      ['m', /^error: usage: m <recipient> <message>/],
      ['m 3', /^error: the message is empty/],
      ['m 3    ', /^error: the message is empty/],
      [`m 3 ${'x'.repeat(1025)}`, /at most 1024 characters \(this one has 1025\)/],
      ['stake', /^error: usage: stake <amount>/],
      ['stake ten', /^error: 'ten' is not an amount of stake/],
      ['x', /^error: unknown command 'x' — type help$/],
    ];
    for (const [line, expected] of cases) {
      const r = await executeCommand(line, ctx);
      expect(r.ok, line).toBe(false);
      expect(r.output, line).toMatch(expected);
      expect(r.output, line).not.toContain('\n');
    }
    expect(fake.state.posts).toEqual([]);
  });

  it('without a token, spending commands say how to fix it; a wrong token is a clear 401 line', async () => {
    const noToken: CommandContext = { ...ctx, api: new NodeClient(ctx.baseUrl), tokenProblem: 'no API token (test)' };
    const r = await executeCommand('t 3 1', noToken);
    expect(r).toEqual({ ok: false, output: 'error: no API token (test)', error: { code: 'NO_TOKEN', message: 'no API token (test)' } });
    expect((await executeCommand('balance', noToken)).ok).toBe(true);
    const wrong: CommandContext = { ...ctx, api: new NodeClient(ctx.baseUrl, 'wrong') };
    const w = await executeCommand('stake 1', wrong);
    expect(w.ok).toBe(false);
    expect(w.output).toMatch(/^error: the node at http:\/\/127\.0\.0\.1:\d+ refused the API token/);
  });
});

describe('commands that read', () => {
  it('view shows the last block: index, validator id, hash prefix, one line per transaction with fee', async () => {
    const r = await executeCommand('view', ctx);
    expect(r.ok).toBe(true);
    const lines = r.output.split('\n');
    expect(lines[0]).toMatch(/^block 42 {2}validator id3 {2}hash 9f8e7d6c5b4a3928… {2}2025-01-02T03:04:05\.000Z$/);
    expect(lines[1]).toBe('3 transactions:');
    expect(lines[2]).toMatch(/id0\s+→ id3\s+coins\s+9\.50 BCC\s+fee 0\.29 BCC$/);
    expect(lines[3]).toMatch(/id1\s+→ id2\s+message\s+"hello world"\s+fee 11\.00 BCC$/);
    expect(lines[4]).toMatch(/id2\s+→ stake\s+stake\s+20\.00 BCC \(new total\)\s+fee 0\.00 BCC$/);
    expect(lines).toHaveLength(5);
  });

  it('view of the genesis block names the no-one address', async () => {
    fake.state.chain = [block(0, [tx('0', addr(0), 'coins', 400_000)], '0')];
    const r = await executeCommand('view', ctx);
    expect(r.output).toContain('validator none (genesis)');
    // No one paid a fee for the genesis coins.
    expect(r.output).toMatch(/genesis\s+→ id0\s+coins\s+4000\.00 BCC\s+fee 0\.00 BCC$/m);
  });

  it('balance shows available, stake, total and nonce in BCC', async () => {
    const r = await executeCommand('balance', ctx);
    expect(r.ok).toBe(true);
    expect(r.output).toBe(formatBalance(fake.state.wallet));
    const lines = r.output.split('\n');
    expect(lines[0]).toMatch(/^node 0 {2}address [0-9a-f]{16}…$/);
    expect(lines.slice(1)).toEqual(['  available  500.00 BCC', '  stake       10.00 BCC', '  total      510.00 BCC', '  nonce      7']);
  });

  it('inbox shows messages newest first with the sender id and block', async () => {
    const r = await executeCommand('inbox', ctx);
    expect(r.output.split('\n')).toEqual([
      '2 messages, newest first:',
      '  block 40    from id1    newest ünïcode ✓',
      '  block 12    from id3    older one',
    ]);
    fake.state.inbox = [];
    expect((await executeCommand('inbox', ctx)).output).toBe(formatInbox([]));
    expect(formatInbox([])).toBe('no messages yet');
  });

  it('help lists every command with examples; exit, blank lines and case', async () => {
    const help = await executeCommand('help', ctx);
    for (const word of [
      't <recipient> <amount>',
      'm <recipient> <message>',
      'stake <amount>',
      'view',
      'balance',
      'inbox',
      'exit',
      't 3 9.5',
    ]) {
      expect(help.output).toContain(word);
    }
    expect(await executeCommand('exit', ctx)).toMatchObject({ ok: true, output: '', exit: true });
    expect(await executeCommand('   ', ctx)).toEqual({ ok: true, output: '' });
    expect((await executeCommand('BALANCE', ctx)).ok).toBe(true);
  });

  it('an unreachable node is one line', async () => {
    const dead: CommandContext = { api: NodeClient.forPort(deadPort, '127.0.0.1', TOKEN), baseUrl: `http://127.0.0.1:${deadPort}` };
    for (const line of ['balance', 'view', 't 3 1']) {
      const r = await executeCommand(line, dead);
      expect(r.error?.code, line).toBe('UNREACHABLE');
      expect(r.output).toBe(`error: cannot reach the node at http://127.0.0.1:${deadPort} — is it running?`);
    }
  });
});

describe('the real command, one-shot', () => {
  const root = join(import.meta.dirname, '..', '..');
  const main = join(root, 'dist', 'src', 'main.js');
  let dataDir = '';

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'blockchat-cli-test-'));
    writeFileSync(join(dataDir, 'token'), TOKEN + '\n', { mode: 0o600 });
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
    // a failed build (type errors included) fails these tests: they must not pass on a stale dist/
    if (build.status !== 0)
      throw new Error(
        `tsc -p tsconfig.build.json failed (${build.error?.message ?? `status ${build.status}`}):\n${build.stdout}${build.stderr}`,
      );
  }, 120_000);

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const cli = async (...args: string[]) => {
    const child = await import('node:child_process');
    return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      child.execFile(process.execPath, [main, 'cli', ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) => {
        const status = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ status, stdout, stderr });
      });
    });
  };

  it('balance and t succeed, a failure exits 1 with one line', async () => {
    expect(existsSync(main), `${main} is missing: npm test builds it before the tests run`).toBe(true);
    const ok = await cli('-p', String(port), '--data-dir', dataDir, '--', 'balance');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('available  500.00 BCC');

    const sent = await cli('-p', String(port), '--data-dir', dataDir, '--', 't', 'id3', '9.50');
    expect(sent.status).toBe(0);
    expect(fake.state.posts.at(-1)?.body).toEqual({ type: 'coins', to: 3, amount: 950 });

    const poor = await cli('-p', String(port), '--data-dir', dataDir, '--', 't', '3', '950');
    expect(poor.status).toBe(1);
    expect(poor.stderr.trim()).toBe('error: insufficient funds: the transaction costs 978.50 BCC and the available balance is 500.00 BCC');

    const dead = await cli('-p', String(deadPort), '--', 'balance');
    expect(dead.status).toBe(1);
    expect(dead.stderr.trim()).toBe(`error: cannot reach the node at http://127.0.0.1:${deadPort} — is it running?`);
  }, 60_000);
});

/** In-process runCli closes the shared HTTP pool when it returns, so these run last. */
describe('runCli', () => {
  const capture = (lines: string): { io: CliIo; out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    const input = new PassThrough();
    input.end(lines);
    return { io: { out: (t) => out.push(t), err: (t) => err.push(t), input }, out, err };
  };

  it('reads commands line by line from a pipe and reports the missing token', async () => {
    const noToken = mkdtempSync(join(tmpdir(), 'blockchat-cli-empty-'));
    try {
      const { io, out, err } = capture('balance\r\nt 3 1\nexit\nview\n');
      const code = await runCli({ port, host: '127.0.0.1', dataDir: noToken, command: [] }, io);
      expect(code).toBe(1);
      expect(out.join('\n')).toContain('available  500.00 BCC');
      expect(out.join('\n')).not.toContain('block 42'); // stopped at exit
      expect(err).toEqual([
        `error: no API token in ${join(noToken, 'token')}: is ${noToken} the data directory of the node on port ${port}?`,
      ]);
    } finally {
      rmSync(noToken, { recursive: true, force: true });
    }
  });
});
