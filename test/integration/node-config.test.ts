/**
 * `blockchat node` takes its options from flags, `BLOCKCHAT_*` variables and `--config FILE`, in
 * that order of precedence (src/node/settings.ts). Each case gives a port that is refused, so the
 * error names the value that won, and no node starts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { mainScript } from '../../src/tools/network.js';
import { envName, settingsFromEnv, withoutNodeSettings } from '../../src/node/settings.js';

const execFileP = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'blockchat-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function node(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  try {
    await execFileP(process.execPath, [mainScript(), 'node', ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '' };
  }
}

function config(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('node options from a file, the environment and flags', () => {
  const file = config('node.json', { port: '70001', n: 3, capacity: 5, bootstrap: true });

  it('the file is read', async () => {
    const r = await node(['--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/-p must be .* not '70001'/);
  });
  it('the environment wins over the file', async () => {
    const r = await node(['--config', file], { BLOCKCHAT_PORT: '70002' });
    expect(r.stderr).toMatch(/not '70002'/);
  });
  it('a flag wins over both', async () => {
    const r = await node(['--config', file, '-p', '70003'], { BLOCKCHAT_PORT: '70002' });
    expect(r.stderr).toMatch(/not '70003'/);
  });
  it('an unknown key or a bad value in the file is refused', async () => {
    expect((await node(['--config', config('typo.json', { prot: 5000 })])).stderr).toMatch(/unknown option "prot"/);
    expect((await node(['--config', config('bool.json', { port: 5000, bootstrap: 'yes' })])).stderr).toMatch(/"bootstrap"/);
    expect((await node(['--config', join(dir, 'missing.json')])).stderr).toMatch(/cannot read the config file/);
  });
  it('the submission rates are whole numbers from 1, by flag or variable', async () => {
    expect((await node(['-p', '5000', '--client-rate', '0'])).stderr).toMatch(/--client-rate must be .*0/);
    expect((await node(['-p', '5000'], { BLOCKCHAT_SENDER_RATE: 'fast' })).stderr).toMatch(/--sender-rate must be .*fast/);
  });
  it('names each variable after its flag, and a launcher strips them from its nodes', () => {
    expect(envName('bootstrap-url')).toBe('BLOCKCHAT_BOOTSTRAP_URL');
    const env = { BLOCKCHAT_DATA_DIR: '/d', BLOCKCHAT_BOOTSTRAP: '1', BLOCKCHAT_TOKEN: 't', PATH: '/bin' };
    expect(settingsFromEnv(env)).toEqual({ 'data-dir': '/d', bootstrap: true });
    expect(withoutNodeSettings(env)).toEqual({ BLOCKCHAT_TOKEN: 't', PATH: '/bin' });
  });
});
