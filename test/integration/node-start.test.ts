/**
 * Starting a node leaves secrets only where they belong: the per-port token file the CLI reads
 * is written once the node listens (a second node on a busy port never replaces it), a failed
 * start leaves no temporary data directory (with a wallet key in it) behind, and a runtime
 * directory that another user made is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortBase, mainScript, waitFor } from '../../src/tools/network.js';
import { raw } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'blockchat-start-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** Runs `blockchat node …` with its own runtime and temporary directories. */
function startNode(
  args: string[],
  env: { runtime: string; tmp: string },
): { child: ChildProcess; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [mainScript(), 'node', ...args], {
    env: { ...process.env, XDG_RUNTIME_DIR: env.runtime, TMPDIR: env.tmp },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, exit };
}

function dirs(name: string): { runtime: string; tmp: string } {
  const runtime = join(root, name, 'runtime');
  const tmp = join(root, name, 'tmp');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  mkdirSync(tmp, { recursive: true });
  return { runtime, tmp };
}

describe('starting a node', () => {
  it("a second node on a busy port fails, keeps the running node's token and leaves no data directory behind", async () => {
    const env = dirs('busy');
    const port = await freePortBase(1);
    const tokenFile = join(env.runtime, 'blockchat', `port-${port}.token`);
    startNode(['-p', String(port), '-n', '2', '-capacity', '1', '-bootstrap', '--quiet'], env);
    await waitFor('the first node to publish its token', async () => existsSync(tokenFile));
    const token = readFileSync(tokenFile, 'utf8');
    expect(token).toMatch(/^[0-9a-f]{64}\n$/);
    const tempsOfFirst = readdirSync(env.tmp);
    expect(tempsOfFirst).toHaveLength(1); // the first node's own ephemeral data directory

    const second = startNode(['-p', String(port), '-n', '2', '-capacity', '1', '-bootstrap', '--quiet'], env);
    const { code, stderr } = await second.exit;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/cannot listen on port/);
    expect(readFileSync(tokenFile, 'utf8')).toBe(token);
    expect(readdirSync(env.tmp)).toEqual(tempsOfFirst);
    // The running node still takes its own token (a request refused for another reason than 401).
    const answer = await raw(
      port,
      'POST',
      '/wallet/transactions',
      { type: 'coins', to: 1, amount: 1 },
      { authorization: `Bearer ${token.trim()}` },
    );
    expect(answer.status).not.toBe(401);
    const wrong = await raw(
      port,
      'POST',
      '/wallet/transactions',
      { type: 'coins', to: 1, amount: 1 },
      { authorization: `Bearer ${'0'.repeat(64)}` },
    );
    expect(wrong.status).toBe(401);
  });

  // Making a directory that belongs to someone else takes root (CI runs as root).
  it.runIf(process.getuid?.() === 0)('refuses a runtime directory another user made, says why, and writes nothing there', async () => {
    const env = dirs('foreign');
    const planted = join(env.runtime, 'blockchat');
    mkdirSync(planted, { mode: 0o777 });
    chownSync(planted, 65534, 65534);
    const port = await freePortBase(1);
    const { exit } = startNode(['-p', String(port), '-n', '2', '-capacity', '1', '-bootstrap', '--quiet'], env);
    const { code, stderr } = await exit;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/belongs to user 65534/);
    expect(readdirSync(planted)).toEqual([]);
    expect(readdirSync(env.tmp)).toEqual([]);
  });
});
