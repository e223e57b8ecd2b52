/**
 * The block explorer (SPEC part B): every node serves a small web page at `/` that reads the
 * node's own public REST API and updates live from GET /events.
 *
 * The page is static files in src/node/explorer/ (plain HTML, CSS and browser JavaScript,
 * no build step). The TypeScript build does not copy them to dist/, so they are read from the
 * package's source folder once, at start, and served from memory.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTES } from '../api/routes.js';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  /** Short content hash, appended to the asset URLs in index.html (`?v=…`). */
  version: string;
}

const ASSET_FILES = {
  html: 'index.html',
} as const;

const SCRIPT_TYPE = 'text/javascript; charset=utf-8';

/**
 * The assets by URL path, with their files; index.html refers to them by these exact paths. The
 * scripts run in this order: helpers, data access, the overview, the routed pages.
 */
export const EXPLORER_ASSETS = [
  { path: '/explorer/ui.js', file: 'ui.js', type: SCRIPT_TYPE },
  { path: '/explorer/data.js', file: 'data.js', type: SCRIPT_TYPE },
  { path: '/explorer/overview.js', file: 'overview.js', type: SCRIPT_TYPE },
  { path: '/explorer/app.js', file: 'app.js', type: SCRIPT_TYPE },
  { path: '/explorer/pages.js', file: 'pages.js', type: SCRIPT_TYPE },
  { path: '/explorer/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
] as const;

/**
 * The candidates for the assets folder: next to this file when it runs from src/ (vitest, tsx),
 * and the package's src/node/explorer/ when it runs compiled from dist/src/node/.
 */
function assetDirCandidates(): URL[] {
  return [new URL('./explorer/', import.meta.url), new URL('../../../src/node/explorer/', import.meta.url)];
}

/** The folder holding index.html, app.js and style.css; throws with every place it looked. */
export function explorerAssetDir(): string {
  const tried: string[] = [];
  for (const url of assetDirCandidates()) {
    const dir = fileURLToPath(url);
    tried.push(dir);
    if (existsSync(new URL(ASSET_FILES.html, url))) return dir;
  }
  throw new Error(`explorer assets not found; looked in ${tried.join(', ')}`);
}

function makeAsset(body: Buffer, type: string): Asset {
  const digest = createHash('sha256').update(body).digest('hex');
  return { body, type, etag: `"${digest.slice(0, 32)}"`, version: digest.slice(0, 12) };
}

function loadAssets(dir: string): { html: Asset; byPath: Map<string, Asset> } {
  const read = (name: string): Buffer => readFileSync(join(dir, name));
  const byPath = new Map<string, Asset>(EXPLORER_ASSETS.map((a) => [a.path, makeAsset(read(a.file), a.type)]));
  // Version the asset URLs by content so browsers may cache them for good and still never run a
  // stale script after an upgrade.
  let htmlText = read(ASSET_FILES.html).toString('utf8');
  for (const [path, asset] of byPath) htmlText = htmlText.replaceAll(`"${path}"`, `"${path}?v=${asset.version}"`);
  const html = makeAsset(Buffer.from(htmlText, 'utf8'), 'text/html; charset=utf-8');
  return { html, byPath };
}

/** The page only talks to its own node; nothing inline, nothing from elsewhere. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function etagMatches(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  return header
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string): FastifyReply {
  reply.header('Cache-Control', cacheControl).header('ETag', asset.etag).header('X-Content-Type-Options', 'nosniff');
  if (etagMatches(request, asset.etag)) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

/** Cache for good when the URL names the current content, otherwise revalidate every time. */
function assetCacheControl(request: FastifyRequest, asset: Asset): string {
  const query = request.query as Record<string, unknown> | undefined;
  const v = query?.['v'];
  return v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** Serves GET `/` (the page) and its scripts and style sheet (EXPLORER_ASSETS). */
export async function registerExplorer(app: FastifyInstance): Promise<void> {
  const assets = loadAssets(explorerAssetDir());

  app.get(ROUTES.explorer, async (request, reply) => {
    reply
      .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY');
    return send(request, reply, assets.html, 'no-cache');
  });
  for (const [path, asset] of assets.byPath) {
    app.get(path, async (request, reply) => send(request, reply, asset, assetCacheControl(request, asset)));
  }
}
