import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
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
/** Nothing reads the environment or loads code at run time: the node injects what it chose. */
const FORBIDDEN_LOADING = ['process.', 'createRequire', 'require(', 'import.meta'];

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

/**
 * State a module keeps for the life of the process: a module-level `let` or `var`, or a Map or
 * Set made when the module is evaluated (outside any function; an instance field is made per
 * object). A WeakMap keyed by immutable values (chain.ts: a tip's lottery draw) is a memo of a
 * pure function that cannot outgrow the values it is keyed by, and is allowed.
 */
function moduleState(file: string, source: string): string[] {
  const out: string[] = [];
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const line = (node: ts.Node): number => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return; // runs when called, not when the module loads
    if (ts.isPropertyDeclaration(node) && !node.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return;
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && ['Map', 'Set'].includes(node.expression.text)) {
      out.push(`line ${line(node)}: a module-level new ${node.expression.text}`);
    }
    ts.forEachChild(node, visit);
  };
  for (const statement of sf.statements) {
    if (ts.isVariableStatement(statement) && !(statement.declarationList.flags & ts.NodeFlags.Const)) {
      out.push(`line ${line(statement)}: a module-level ${statement.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var'}`);
    }
    visit(statement);
  }
  return out;
}

describe('the core is pure', () => {
  it('has the expected modules', () => {
    for (const f of [
      'block.ts',
      'chain.ts',
      'crypto.ts',
      'encoding.ts',
      'fees.ts',
      'lottery.ts',
      'money.ts',
      'pool.ts',
      'state.ts',
      'transaction.ts',
    ]) {
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
    expect(importsOf(crypto)).toContain('@noble/secp256k1');
  });

  it('the module-state scanner finds module-level state, and only that (self-check)', () => {
    const snippet = [
      'let count = 0;',
      'export let name = "";',
      'var old = 1;',
      'const cache = new Map<string, number>();',
      'export const seen = Object.freeze({ set: new Set() });',
      'const memo = new WeakMap<object, number>();',
      'const fixed = [1, 2];',
      'function f() { let i = 0; const m = new Map(); return [i, m]; }',
      'const g = () => new Set();',
      'class C { private readonly m = new Map(); static shared = new Set(); }',
    ].join('\n');
    expect(moduleState('snippet.ts', snippet)).toEqual([
      'line 1: a module-level let',
      'line 2: a module-level let',
      'line 3: a module-level var',
      'line 4: a module-level new Map',
      'line 5: a module-level new Set',
      'line 10: a module-level new Set',
    ]);
  });

  it.each(sources)('%s keeps no module-level state (no let, no Map or Set made at load)', (file, source) => {
    expect(moduleState(file, source)).toEqual([]);
  });

  it.each(sources)('%s reads no environment and loads no code at run time', (_file, source) => {
    expect(FORBIDDEN_LOADING.filter((t) => source.includes(t))).toEqual([]);
  });

  it.each(sources)('%s imports no I/O, server, storage or prompt module', (_file, source) => {
    const bad = importsOf(source).filter(
      (spec) => FORBIDDEN_MODULES.includes(spec) || FORBIDDEN_MODULES.some((m) => spec.startsWith(`${m}/`)),
    );
    expect(bad).toEqual([]);
  });

  it.each(sources)('%s uses no clock, randomness or floating-point money', (_file, source) => {
    const bad = FORBIDDEN_TEXT.filter((t) => source.includes(t));
    expect(bad).toEqual([]);
  });

  it.each(sources)('%s imports only the core itself and the noble libraries (no node: module)', (_file, source) => {
    const allowed = (spec: string): boolean => spec.startsWith('./') || spec.startsWith('@noble/');
    expect(importsOf(source).filter((s) => !allowed(s))).toEqual([]);
  });
});
