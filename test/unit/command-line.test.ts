/**
 * The `blockchat` command as a user types it (bin/blockchat.js, on the build `npm test` makes):
 * unknown options and malformed numbers are refused with one line and exit code 1 before
 * anything starts; --help shows the commands with examples; `version` prints package.json's.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../client/help.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'blockchat.js');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function blockchat(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the blockchat command line', () => {
  it('refuses unknown options and malformed numbers with one line naming the flag, exit code 1', async () => {
    expect(existsSync(join(root, 'dist', 'src', 'main.js')), 'npm test builds dist/ before the tests run').toBe(true);
    const cases: [string[], string][] = [
      [['network', '-n', '0', '-capacity', '2'], '-n'],
      [['network', '-n', 'abc', '-capacity', '2'], '-n'],
      [['network', '-n', '3', '-capacity', '0'], '-capacity'],
      [['network', '-n', '3', '--capacity', 'x'], '-capacity'],
      [['network', '-n', '3', '-capacity', '2', '-p', '65534'], '65535'],
      // --stakes of the wrong length: were --colour let through, still nothing would start.
      [['network', '-n', '3', '-capacity', '2', '--colour', '--stakes', '1'], '--colour'],
      [['cli', '-p', 'abc'], '-p'],
      [['cli', '-p', '70000', '--', 'balance'], '-p'],
      [['cli', '-p', '5000', '--jsn', '--', 'balance'], '--jsn'],
      [['cli', '--', 'balance'], 'p'],
      [['node', '-p', '0'], '-p'],
      [['node', '-p', '5000', '-n', '1.5'], '-n'],
      [['node', '-p', '5000', '--bogus'], '--bogus'],
      [['tester', '-n', '2', '-input', 'x', '-p', 'abc'], '-p'],
      [['load', '-n', '2', '--transactions', '0'], '--transactions'],
      [['load', '-n', '2', '--transactions', '5', '--rate', '0'], '--rate'],
      [['demo', '-n', '0'], '-n'],
      [['version', '--jsn'], '--jsn'],
      [['nonsense'], 'nonsense'],
      [[], 'command'],
    ];
    for (const [args, flag] of cases) {
      const r = await blockchat(...args);
      const what = args.join(' ');
      expect(r.code, what).toBe(1);
      expect(r.stdout, what).toBe('');
      expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(r.stderr, what).toContain(flag);
    }
  });

  it('--help lists the commands; cli --help lists the CLI commands, the one-shot form and examples', async () => {
    const top = await blockchat('--help');
    expect(top.code).toBe(0);
    for (const command of ['node', 'network', 'cli', 'tester', 'load', 'demo', 'version'])
      expect(top.stdout).toContain(`blockchat ${command}`);
    const cli = await blockchat('cli', '--help');
    expect(cli.code).toBe(0);
    expect(COMMANDS.length).toBeGreaterThan(0);
    for (const c of COMMANDS) {
      expect(cli.stdout).toContain(c.usage);
      if (c.example) expect(cli.stdout).toContain(c.example);
    }
    expect(cli.stdout).toContain('blockchat cli -p 5001 -- t 3 9.5');
    expect(cli.stdout).toContain('--json');
  });

  it("version prints package.json's version, as text or one JSON object", async () => {
    expect(await blockchat('version')).toEqual({ code: 0, stdout: `blockchat ${version}\n`, stderr: '' });
    expect(JSON.parse((await blockchat('version', '--json')).stdout)).toEqual({ version });
    expect((await blockchat('--version')).stdout).toBe(`${version}\n`);
  });
});
