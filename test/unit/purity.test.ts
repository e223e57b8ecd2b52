import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The core is pure: no I/O, no clock, no randomness, no float money (SPEC A; src/core/index.ts). */
const CORE = new URL('../../src/core/', import.meta.url);
const files = readdirSync(CORE)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const sources = files.map((f) => [f, readFileSync(new URL(f, CORE), 'utf8')] as const);

const FORBIDDEN_MODULES = [
  'fastify',
  'undici',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'http',
  'node:http',
  'https',
  'node:https',
  'net',
  'node:net',
  'classic-level',
  'inquirer',
];
const FORBIDDEN_TEXT = ['Date.now', 'Math.random', 'new Date(', 'parseFloat', 'toFixed(', 'performance.now', 'setTimeout', 'setInterval'];

/** Every module specifier the file imports, statically, dynamically or through require. */
function importsOf(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\)?\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

describe('the core is pure', () => {
  it('has the expected modules', () => {
    for (const f of ['block.ts', 'chain.ts', 'crypto.ts', 'encoding.ts', 'fees.ts', 'lottery.ts', 'money.ts', 'pool.ts', 'state.ts', 'transaction.ts']) {
      expect(files).toContain(f);
    }
  });

  it('the import scanner finds imports (self-check)', () => {
    expect(importsOf("import { x } from 'node:fs';\nimport * as y from \"fastify\";\nconst z = await import('undici');")).toEqual([
      'node:fs',
      'fastify',
      'undici',
    ]);
    const crypto = sources.find(([f]) => f === 'crypto.ts')![1];
    expect(importsOf(crypto)).toContain('node:crypto');
  });

  it.each(sources)('%s imports no I/O, server, storage or prompt module', (_file, source) => {
    const bad = importsOf(source).filter((spec) => FORBIDDEN_MODULES.includes(spec) || FORBIDDEN_MODULES.some((m) => spec.startsWith(`${m}/`)));
    expect(bad).toEqual([]);
  });

  it.each(sources)('%s uses no clock, randomness or floating-point money', (_file, source) => {
    const bad = FORBIDDEN_TEXT.filter((t) => source.includes(t));
    expect(bad).toEqual([]);
  });

  it.each(sources)('%s imports only the core itself and the crypto libraries', (_file, source) => {
    const allowed = (spec: string): boolean =>
      spec.startsWith('./') ||
      spec === 'node:crypto' ||
      spec === 'node:module' ||
      spec === 'secp256k1/bindings' ||
      spec.startsWith('@noble/');
    expect(importsOf(source).filter((s) => !allowed(s))).toEqual([]);
  });
});
