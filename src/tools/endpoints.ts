/**
 * Which nodes a measuring command (tester, load) talks to, and with which API tokens: the nodes
 * of this machine on consecutive ports (`-p BASE -n N`, tokens from the per-port runtime files),
 * or nodes anywhere (`--nodes url,url,…` or `--nodes FILE`, tokens from `--token-file`, the file's
 * own column, or `BLOCKCHAT_TOKEN`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readToken, readTokenFile, TOKEN_ENV } from '../api/token.js';

export interface Endpoint {
  url: string;
  token?: string;
}

export interface EndpointOptions {
  /** `url,url,…`, or a file with one node a line: `URL [TOKEN_FILE]` (`#` starts a comment). */
  nodes?: string;
  host: string;
  basePort: number;
  n?: number;
  /** One token file for every node, or one per node, comma separated. */
  tokenFile?: string;
  env?: NodeJS.ProcessEnv;
}

function checkUrl(text: string, where: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${where}: '${text}' is not a URL such as http://10.0.0.2:5000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where}: '${text}' is not http:// or https://`);
  return text.replace(/\/+$/, '');
}

/** The `--nodes` value: URLs with the token file each line may name (relative to the file). */
export function parseNodes(value: string): Array<{ url: string; tokenFile?: string }> {
  if (!value.includes('://') && existsSync(value)) {
    const out: Array<{ url: string; tokenFile?: string }> = [];
    readFileSync(value, 'utf8')
      .split(/\r?\n/)
      .forEach((raw, k) => {
        const line = raw.replace(/#.*/, '').trim();
        if (!line) return;
        const [url, tokenFile, extra] = line.split(/\s+/);
        if (extra !== undefined) throw new Error(`${value} line ${k + 1}: expected "URL [TOKEN_FILE]"`);
        out.push({
          url: checkUrl(url!, `${value} line ${k + 1}`),
          tokenFile: tokenFile === undefined ? undefined : resolve(dirname(value), tokenFile),
        });
      });
    if (out.length === 0) throw new Error(`--nodes file ${value} lists no node`);
    return out;
  }
  const urls = value.split(',').map((u) => u.trim());
  if (urls.some((u) => u === '')) throw new Error(`--nodes takes url,url,… or a file, not '${value}'`);
  return urls.map((u) => ({ url: checkUrl(u, '--nodes') }));
}

/** One value for every node, or one per node: the comma-separated list `list` for `count` nodes. */
function perNode(list: string | undefined, count: number, what: string): Array<string | undefined> {
  if (list === undefined || list.trim() === '') return Array.from({ length: count }, () => undefined);
  const items = list.split(',').map((s) => s.trim());
  if (items.length === 1) return Array.from({ length: count }, () => items[0]);
  if (items.length !== count) throw new Error(`${what} gives ${items.length} values for ${count} nodes: give one, or one per node`);
  return items;
}

/** The nodes to drive, in the order given (not necessarily by id), each with its token if found. */
export function resolveEndpoints(opts: EndpointOptions): Endpoint[] {
  const env = opts.env ?? process.env;
  if (opts.nodes !== undefined) {
    const nodes = parseNodes(opts.nodes);
    if (opts.n !== undefined && opts.n !== nodes.length) throw new Error(`-n ${opts.n} but --nodes lists ${nodes.length} nodes`);
    const files = perNode(opts.tokenFile, nodes.length, '--token-file');
    const tokens = perNode(env[TOKEN_ENV], nodes.length, TOKEN_ENV);
    return nodes.map((node, i) => {
      const file = files[i] ?? node.tokenFile;
      return { url: node.url, token: file ? readTokenFile(file) : tokens[i] };
    });
  }
  if (opts.n === undefined) throw new Error('give the nodes as -n N (on consecutive ports from -p) or --nodes url,url,…');
  const n = opts.n;
  const files = perNode(opts.tokenFile, n, '--token-file');
  const tokens = perNode(env[TOKEN_ENV], n, TOKEN_ENV);
  const h = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  return Array.from({ length: n }, (_, i) => {
    const port = opts.basePort + i;
    const file = files[i];
    return { url: `http://${h}:${port}`, token: file ? readTokenFile(file) : (tokens[i] ?? readToken(port)) };
  });
}

/** The nodes of a command's options (`-p`, `-n`, `--host`, `--nodes`, `--token-file`). */
export function endpointsOfArgs(args: { p: number; n?: number; host?: string; nodes?: string; tokenFile?: string }): Endpoint[] {
  return resolveEndpoints({ nodes: args.nodes, host: args.host ?? '127.0.0.1', basePort: args.p, n: args.n, tokenFile: args.tokenFile });
}
