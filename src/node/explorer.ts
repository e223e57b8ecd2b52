/**
 * The block explorer (SPEC part B): every node serves a small web page at `/` that reads the
 * node's own public REST API and updates live from GET /events.
 *
 * The page is three static files in src/node/explorer/ (plain HTML, CSS and browser JavaScript,
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
  script: 'app.js',
  style: 'style.css',
} as const;

/** URL paths of the assets; index.html refers to them by these exact paths. */
export const EXPLORER_PATHS = {
  script: '/explorer/app.js',
  style: '/explorer/style.css',
} as const;

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

function loadAssets(dir: string): { html: Asset; script: Asset; style: Asset } {
  const read = (name: string): Buffer => readFileSync(join(dir, name));
  const script = makeAsset(read(ASSET_FILES.script), 'text/javascript; charset=utf-8');
  const style = makeAsset(read(ASSET_FILES.style), 'text/css; charset=utf-8');
  // Version the asset URLs by content so browsers may cache them for good and still never run a
  // stale script after an upgrade.
  const htmlText = read(ASSET_FILES.html)
    .toString('utf8')
    .replaceAll(`"${EXPLORER_PATHS.script}"`, `"${EXPLORER_PATHS.script}?v=${script.version}"`)
    .replaceAll(`"${EXPLORER_PATHS.style}"`, `"${EXPLORER_PATHS.style}?v=${style.version}"`);
  const html = makeAsset(Buffer.from(htmlText, 'utf8'), 'text/html; charset=utf-8');
  return { html, script, style };
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

/** Serves GET `/` (the page), `/explorer/app.js` and `/explorer/style.css`. */
export async function registerExplorer(app: FastifyInstance): Promise<void> {
  const assets = loadAssets(explorerAssetDir());

  app.get(ROUTES.explorer, async (request, reply) => {
    reply
      .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY');
    return send(request, reply, assets.html, 'no-cache');
  });
  app.get(EXPLORER_PATHS.script, async (request, reply) => send(request, reply, assets.script, assetCacheControl(request, assets.script)));
  app.get(EXPLORER_PATHS.style, async (request, reply) => send(request, reply, assets.style, assetCacheControl(request, assets.style)));
}
