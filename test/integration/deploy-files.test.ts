/**
 * The deploy files (Dockerfile, compose.yaml, deploy/blockchat.service) checked with what runs
 * here, since no Docker engine does: every flag they pass is a real option of `blockchat node`
 * (read from its --help), every BLOCKCHAT_* variable is a node setting, the compose network is
 * consistent (one bootstrap, n services, each bound to its own name), the image copies what
 * `npm ci`'s scripts build from, and systemd accepts the unit (`systemd-analyze verify`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envName, NODE_SETTINGS, type NodeSettingName } from '../../src/node/settings.js';
import { mainScript, repoRoot } from '../../src/tools/network.js';

const root = repoRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The long and short option names `blockchat node --help` lists. */
function nodeFlags(): Set<string> {
  const help = execFileSync(process.execPath, [mainScript(), 'node', '--help'], { encoding: 'utf8' });
  const flags = new Set<string>();
  for (const line of help.split('\n')) {
    const m = /^\s+(?:-(\w), )?--?([\w-]+)\s/.exec(line);
    if (!m) continue;
    if (m[1]) flags.add(m[1]);
    flags.add(m[2]!);
  }
  return flags;
}

/** The option names of a node command line: `-bootstrap`, `--data-dir X` → bootstrap, data-dir. */
function flagsOf(words: readonly string[]): string[] {
  return words.filter((w) => w.startsWith('-')).map((w) => w.replace(/^--?/, '').split('=')[0]!);
}

const settingEnvNames = new Set(Object.keys(NODE_SETTINGS).map((k) => envName(k as NodeSettingName)));

interface Service {
  command: string[];
  environment: Record<string, string>;
  volumes: string[];
  image: string;
}

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const services = Object.entries(compose.services);
  const flags = nodeFlags();

  it('runs `blockchat node` with real flags and BLOCKCHAT_* settings only', () => {
    expect(services.length).toBeGreaterThan(1);
    expect(flags.has('bootstrap')).toBe(true);
    for (const [, s] of services) {
      const command = s.command ?? ['node'];
      expect(command[0]).toBe('node');
      for (const flag of flagsOf(command)) expect(flags, `compose flag ${flag}`).toContain(flag);
      const keys = Object.keys(s.environment);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(settingEnvNames, `compose variable ${key}`).toContain(key);
      expect(s.image).toBe('blockchat:latest');
    }
  });

  it('is one network: one bootstrap, n services, each bound to its own name, joining the bootstrap', () => {
    const bootstraps = services.filter(([, s]) => (s.command ?? []).includes('-bootstrap'));
    expect(bootstraps.map(([name]) => name)).toEqual(['bootstrap']);
    const bootstrap = bootstraps[0]![1];
    const bootstrapUrl = `http://bootstrap:${bootstrap.environment.BLOCKCHAT_PORT}`;
    for (const [name, s] of services) {
      const env = s.environment;
      expect(env.BLOCKCHAT_HOST).toBe(name);
      expect(Number(env.BLOCKCHAT_N)).toBe(services.length);
      expect(env.BLOCKCHAT_CAPACITY).toBe(bootstrap.environment.BLOCKCHAT_CAPACITY);
      if (s !== bootstrap) expect(env.BLOCKCHAT_BOOTSTRAP_URL).toBe(bootstrapUrl);
      // Its own volume on the image's data directory.
      expect(s.volumes).toEqual([`${name}-data:/data`]);
      expect(Object.keys(compose.volumes)).toContain(`${name}-data`);
    }
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const instructions = lines.map((l) => {
    const [op, ...rest] = l.trim().split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
  const all = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.args);

  it('builds in one stage and runs from Node 20 slim as a non-root user, data on a volume, with a health check', () => {
    expect(all('FROM')).toEqual(['node:20-slim AS build', 'node:20-slim']);
    expect(all('USER')).toEqual(['node']);
    expect(all('VOLUME')).toEqual(['["/data"]']);
    expect(all('HEALTHCHECK').join(' ')).toContain('/readyz');
    expect(all('ENTRYPOINT')).toEqual(['["node", "bin/blockchat.js"]']);
    expect(existsSync(join(root, 'bin', 'blockchat.js'))).toBe(true);
    for (const env of all('ENV')
      .join(' ')
      .match(/BLOCKCHAT_\w+/g) ?? [])
      expect(settingEnvNames).toContain(env);
  });

  it("copies what npm ci's install and prepare scripts build from, and every path it copies exists", () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.install).toBe('node native/build.mjs');
    expect(scripts.prepare).toBe('tsc -p tsconfig.build.json');
    const run = all('RUN').join(' ');
    expect(run).toContain('npm ci');
    expect(run).toContain('npm prune --omit=dev');
    const copied = all('COPY')
      .filter((a) => !a.startsWith('--from'))
      .flatMap((a) => a.split(/\s+/).slice(0, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const path of copied) expect(existsSync(join(root, path)), `COPY ${path}`).toBe(true);
    const built = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    for (const dir of [...built, 'native', 'tsconfig.build.json', 'tsconfig.json', 'package-lock.json']) expect(copied).toContain(dir);
  });
});

describe('deploy/blockchat.service', () => {
  const unit = read('deploy/blockchat.service');
  const dir = mkdtempSync(join(tmpdir(), 'blockchat-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts `blockchat node` with real flags and settings', () => {
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    expect(exec.slice(0, 2)).toEqual(['/usr/bin/blockchat', 'node']);
    const flags = nodeFlags();
    for (const flag of flagsOf(exec)) expect(flags, `unit flag ${flag}`).toContain(flag);
    for (const env of unit.match(/BLOCKCHAT_\w+(?==)/g) ?? []) expect(settingEnvNames).toContain(env);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  if (!analyze) console.log('deploy-files.test.ts: systemd-analyze is not installed here: the unit is not verified');
  it.runIf(analyze)('passes systemd-analyze verify', () => {
    // The installed command's path, as here: the repository's own bin/blockchat.js.
    const path = join(dir, 'blockchat.service');
    writeFileSync(path, unit.replace('/usr/bin/blockchat', join(root, 'bin', 'blockchat.js')));
    const r = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});
