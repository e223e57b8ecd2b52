/**
 * The CLI as a person uses it: `blockchat cli` in a real terminal (tmux, terminal.ts) against a
 * real 3-node network. Each command is typed, then a bad input for it, and the screen is read;
 * then the arrow keys' history, Tab completion, and leaving with exit, Ctrl-D and Ctrl-C.
 * Skipped only when tmux is missing (CI installs it). The one-shot --json form: cli-json.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../client/help.js';
import { formatBcc } from '../../src/core/money.js';
import { launch, waitFinal, type TestNetwork } from './harness.js';
import { HAVE_TMUX, Terminal } from './terminal.js';

const root = join(import.meta.dirname, '..', '..');
const PROMPT = 'node 1>';

let t: TestNetwork;
const terminals: Terminal[] = [];

/** `blockchat cli` for node `i` in a new terminal. */
function startCli(i: number, ...options: string[]): Terminal {
  const term = new Terminal([
    process.execPath,
    join(root, 'bin', 'blockchat.js'),
    'cli',
    '-p',
    String(t.ports[i]),
    '--data-dir',
    join(t.dataRoot, `node-${i}`),
    ...options,
  ]);
  terminals.push(term);
  return term;
}

const lastLine = (screen: string): string => screen.split('\n').at(-1) ?? '';

/** Presses Enter on the line `typed` and waits for the next prompt; returns what was printed between. */
async function enter(term: Terminal, typed: string): Promise<string[]> {
  const before = term.lines().length;
  term.press('Enter');
  const lines = (await term.waitScreen(`the answer to "${typed}"`, (s) => s.split('\n').length > before && lastLine(s) === PROMPT)).split(
    '\n',
  );
  expect(lines[before - 1]).toBe(`${PROMPT} ${typed}`.trimEnd());
  return lines.slice(before, -1);
}

/** Waits for an empty prompt, types `line` and Enter; returns what was printed. */
async function run(term: Terminal, line: string): Promise<string[]> {
  await term.waitScreen('an empty prompt', (s) => lastLine(s) === PROMPT);
  term.type(line);
  await term.waitScreen(`"${line}" typed`, (s) => lastLine(s) === `${PROMPT} ${line}`.trimEnd());
  return enter(term, line);
}

/** A bad input: one line that starts with "error: ", and the prompt again. */
async function refused(term: Terminal, line: string): Promise<void> {
  const out = await run(term, line);
  expect(out, line).toHaveLength(1);
  expect(out[0], line).toMatch(/^error: /);
}

/** The id of the transaction a "sent" answer names on its second line. */
function sentId(out: string[]): string {
  expect(out).toHaveLength(2);
  const id = /^ {2}tx ([0-9a-f]{64}) pending$/.exec(out[1] ?? '')?.[1];
  expect(id, out.join('\n')).toBeDefined();
  return id!;
}

beforeAll(async () => {
  if (HAVE_TMUX) t = await launch(3, 2);
}, 90_000);

afterAll(async () => {
  for (const term of terminals) term.close();
  await t?.stop();
});

describe.skipIf(!HAVE_TMUX)('blockchat cli in a terminal', () => {
  it('runs every command as typed, and answers a bad input for each with one error line', async () => {
    const term = startCli(1);
    const me = await t.clients[1]!.status();
    const url = `http://127.0.0.1:${t.ports[1]}`;
    await term.waitScreen('the greeting', (s) => s.startsWith(`connected to node 1 at ${url}`));

    const help = (await run(term, 'help')).join('\n');
    expect(COMMANDS.length).toBeGreaterThan(0);
    for (const c of COMMANDS) expect(help).toContain(c.usage);
    await refused(term, 'hepl');

    expect(await run(term, 'whoami')).toEqual([`node 1 at ${url}`, `  address ${me.address}`]);
    await refused(term, 'whoami me');

    const wallet = await t.clients[1]!.wallet();
    expect((await run(term, 'balance')).join('\n')).toMatch(new RegExp(`^ {2}available +${formatBcc(wallet.balance)} BCC$`, 'm'));
    await refused(term, 'balance 5');

    const coins = sentId(await run(term, 't 2 1.5'));
    await refused(term, 't 2 1.234');
    const message = sentId(await run(term, 'm 0 hello from a terminal'));
    await refused(term, 'm 0');
    const stake = sentId(await run(term, 'stake 15'));
    await refused(term, 'stake 99999');
    const reply = await t.clients[2]!.submit({ type: 'message', to: 1, message: 'hi node 1' });
    // Under protocol version 2 a committed transaction is final within a checkpoint or two: the
    // status is read once it is final everywhere, so the line it prints is settled.
    for (const id of [coins, message, stake, reply.id]) await waitFinal(t.clients, id);

    const tx = await run(term, `tx ${coins.slice(0, 8)}`);
    expect(tx[0]).toBe(`tx ${coins}`);
    const block = Number(/^ {2}status +final in block (\d+) \(it can no longer be undone\)$/m.exec(tx.join('\n'))?.[1]);
    expect(block).toBe((await t.clients[1]!.transaction(coins)).block);
    expect(block).toBeGreaterThan(0);
    await refused(term, 'tx 1234');

    const view = await run(term, `view ${block}`);
    expect(view[0]).toMatch(new RegExp(`^block ${block} `));
    expect(view.join('\n')).toContain(coins.slice(0, 12));
    expect((await run(term, 'view'))[0]).toMatch(/^block \d+ {2}validator /);
    await refused(term, 'view x');

    expect((await run(term, 'inbox')).join('\n')).toMatch(/from id2 +hi node 1$/m);
    await refused(term, 'inbox 2');

    const history = (await run(term, 'history')).join('\n');
    for (const id of [coins, message, stake, reply.id]) expect(history).toContain(id.slice(0, 12));
    await refused(term, 'history 0');

    term.type('exit');
    term.press('Enter');
    await term.waitScreen('the CLI to end', () => term.exitStatus() !== undefined);
    expect(term.exitStatus()).toBe(0);
  }, 120_000);

  it('brings back earlier commands with the arrow keys and completes with Tab', async () => {
    const term = startCli(1);
    await run(term, 'balance');
    await run(term, 'whoami');
    const atPrompt = (line: string) => term.waitScreen(`"${PROMPT} ${line}"`, (s) => lastLine(s) === `${PROMPT} ${line}`.trimEnd());

    term.type('ba');
    term.press('Up');
    await atPrompt('whoami');
    term.press('Up');
    await atPrompt('balance');
    term.press('Up'); // nothing older: stays
    await atPrompt('balance');
    term.press('Down', 'Down');
    await atPrompt('ba'); // the line being typed comes back
    term.press('C-u');
    await atPrompt('');

    term.type('hist');
    term.press('Tab');
    await atPrompt('history');
    term.press('C-u');
    term.type('t ');
    term.press('Tab');
    // The other nodes' ids, under the line.
    await term.waitScreen('the recipients', (s) => s.split('\n').slice(-2).join('\n') === `${PROMPT} t id\nid0  id2`);
    term.type('2');
    term.press('Tab');
    await atPrompt('t id2');
    term.type('0.5');
    await atPrompt('t id2 0.5');
    const sent = await enter(term, 't id2 0.5');
    expect(sent[0]).toMatch(/^sent 0\.50 BCC to id2: /);
    term.type('tx ');
    term.press('Tab');
    await atPrompt(`tx ${sentId(sent)}`);
    term.press('C-u');
    await atPrompt('');
  }, 60_000);

  it('leaves with exit status 0 on Ctrl-D and on Ctrl-C, and refuses --json at a prompt', async () => {
    for (const key of ['C-d', 'C-c']) {
      const term = startCli(1);
      await term.waitScreen('the prompt', (s) => lastLine(s) === PROMPT);
      term.press(key);
      await term.waitScreen(`the CLI to end on ${key}`, () => term.exitStatus() !== undefined);
      expect(term.exitStatus(), key).toBe(0);
    }
    const json = startCli(1, '--json');
    await json.waitScreen('the CLI to end', () => json.exitStatus() !== undefined);
    expect(json.exitStatus()).toBe(1);
    expect(json.lines().filter((l) => l.startsWith('error: '))).toHaveLength(1);
  }, 60_000);
});
