/**
 * How the remote clients find their nodes and tokens: `--nodes` (a list or a file),
 * `--token-file` and `BLOCKCHAT_TOKEN` for the tester and load (src/tools/endpoints.ts), and
 * `--url` with `--token-file` for the CLI (client/cli.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeContext } from '../../client/cli.js';
import { resolveEndpoints, parseNodes } from '../../src/tools/endpoints.js';

const dir = mkdtempSync(join(tmpdir(), 'blockchat-remote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('--nodes', () => {
  it('takes url,url,… in the order given', () => {
    expect(parseNodes('http://10.0.0.1:5000,http://10.0.0.2:5000/')).toEqual([
      { url: 'http://10.0.0.1:5000' },
      { url: 'http://10.0.0.2:5000' },
    ]);
  });
  it('takes a file of "URL [TOKEN_FILE]" lines, with comments and token files relative to it', () => {
    const nodes = file('nodes.txt', '# the network\nhttp://a:5000 tokens/a\n\nhttp://b:5001   # no token\n');
    expect(parseNodes(nodes)).toEqual([{ url: 'http://a:5000', tokenFile: join(dir, 'tokens', 'a') }, { url: 'http://b:5001' }]);
  });
  it('refuses what is not a URL, an empty file, and a line with too much', () => {
    expect(() => parseNodes('10.0.0.1:5000')).toThrow(/not a URL/);
    expect(() => parseNodes('ftp://a:1')).toThrow(/http/);
    expect(() => parseNodes('http://a:1,,http://b:1')).toThrow(/--nodes/);
    expect(() => parseNodes(file('empty.txt', '# nothing\n'))).toThrow(/lists no node/);
    expect(() => parseNodes(file('extra.txt', 'http://a:1 t x\n'))).toThrow(/line 1/);
  });
});

describe('tokens of the nodes', () => {
  const a = file('a.token', 'aaaa\n');
  const b = file('b.token', 'bbbb\n');
  it('one --token-file for every node, or one per node', () => {
    const nodes = 'http://a:1,http://b:2';
    expect(resolveEndpoints({ nodes, host: '', basePort: 0, tokenFile: a, env: {} }).map((e) => e.token)).toEqual(['aaaa', 'aaaa']);
    expect(resolveEndpoints({ nodes, host: '', basePort: 0, tokenFile: `${a},${b}`, env: {} }).map((e) => e.token)).toEqual([
      'aaaa',
      'bbbb',
    ]);
    expect(() => resolveEndpoints({ nodes, host: '', basePort: 0, tokenFile: `${a},${b},${a}`, env: {} })).toThrow(/one per node/);
  });
  it('the flag wins over the file column, which wins over BLOCKCHAT_TOKEN', () => {
    const nodes = file('with-tokens.txt', `http://a:1 ${b}\nhttp://b:2\n`);
    const env = { BLOCKCHAT_TOKEN: 'envtoken' };
    expect(resolveEndpoints({ nodes, host: '', basePort: 0, env }).map((e) => e.token)).toEqual(['bbbb', 'envtoken']);
    expect(resolveEndpoints({ nodes, host: '', basePort: 0, tokenFile: a, env }).map((e) => e.token)).toEqual(['aaaa', 'aaaa']);
  });
  it('a token file that cannot be read is an error naming it', () => {
    expect(() => resolveEndpoints({ nodes: 'http://a:1', host: '', basePort: 0, tokenFile: join(dir, 'missing'), env: {} })).toThrow(
      /missing/,
    );
    expect(() => resolveEndpoints({ nodes: 'http://a:1', host: '', basePort: 0, tokenFile: file('blank', '\n'), env: {} })).toThrow(
      /empty/,
    );
  });
  it('-n N keeps consecutive ports on one host, and -n must match --nodes', () => {
    const e = resolveEndpoints({ host: '10.0.0.5', basePort: 7000, n: 2, env: { BLOCKCHAT_TOKEN: 't1,t2' } });
    expect(e).toEqual([
      { url: 'http://10.0.0.5:7000', token: 't1' },
      { url: 'http://10.0.0.5:7001', token: 't2' },
    ]);
    expect(() => resolveEndpoints({ nodes: 'http://a:1', host: '', basePort: 0, n: 2, env: {} })).toThrow(/-n 2/);
    expect(() => resolveEndpoints({ host: '', basePort: 0, env: {} })).toThrow(/--nodes/);
  });
});

describe('the CLI with --url', () => {
  const token = file('cli.token', 'clitoken\n');
  it('uses the URL as given, and the token from --token-file', () => {
    const ctx = makeContext({ host: '127.0.0.1', url: 'http://10.1.2.3:5000/', tokenFile: token });
    expect(ctx.baseUrl).toBe('http://10.1.2.3:5000');
    expect(ctx.tokenProblem).toBeUndefined();
  });
  it('takes BLOCKCHAT_TOKEN when no file is given', () => {
    const saved = process.env.BLOCKCHAT_TOKEN;
    process.env.BLOCKCHAT_TOKEN = 'fromenv';
    try {
      expect(makeContext({ host: '127.0.0.1', url: 'http://10.1.2.3:5000' }).tokenProblem).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.BLOCKCHAT_TOKEN;
      else process.env.BLOCKCHAT_TOKEN = saved;
    }
  });
  it('never reads the token of a local node for a URL of another host', () => {
    const saved = process.env.BLOCKCHAT_TOKEN;
    delete process.env.BLOCKCHAT_TOKEN;
    try {
      expect(makeContext({ host: '127.0.0.1', url: 'http://10.1.2.3:5000' }).tokenProblem).toMatch(/--token-file/);
    } finally {
      if (saved !== undefined) process.env.BLOCKCHAT_TOKEN = saved;
    }
  });
  it('refuses a URL that is not one, as a usage error', () => {
    expect(() => makeContext({ host: '127.0.0.1', url: 'node-1:5000' })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
