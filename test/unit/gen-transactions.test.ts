import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codePoints } from '../../src/core/fees.js';
import { DEFAULT_SEED, generateFiles, LINES_PER_FILE, MAX_FILE_COST_BCC, mulberry32 } from '../../scripts/gen-transactions.js';
import { parseReplayText } from '../../src/tools/replay-input.js';

describe('the transaction generator', () => {
  it('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    // the first outputs (× 2^32) of the published mulberry32 (Tommy Ettinger's) for seed 42
    expect(xs.slice(0, 5).map((x) => x * 2 ** 32)).toEqual([2581720956, 1925393290, 3661312704, 2876485805, 750819978]);
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });

  it('the same seed gives identical files; another seed different ones', () => {
    // DEFAULT_SEED's files are pinned by transactions/ (the last test); another seed's by the
    // digest of the files it gave when the generator was written
    const digest = (files: string[]): string => createHash('sha256').update(files.join('\0')).digest('hex');
    for (let call = 0; call < 2; call++) {
      expect(digest(generateFiles(DEFAULT_SEED + 1, 5))).toBe('222fd9fe8efb6fdb271ebecb9906cf883c066274d6033eafc61fc2f6a3c071d0');
    }
    expect(generateFiles(DEFAULT_SEED + 1, 5)).not.toEqual(generateFiles(DEFAULT_SEED, 5));
  });

  for (const n of [5, 10]) {
    describe(`${n} nodes`, () => {
      const files = generateFiles(DEFAULT_SEED, n);

      it('has one file per node, 100 LF-terminated lines each, never to the sender', () => {
        expect(files).toHaveLength(n);
        files.forEach((text, i) => {
          expect(text.endsWith('\n')).toBe(true);
          expect(text.includes('\r')).toBe(false);
          const lines = parseReplayText(text, `trans${i}.txt`, { n, self: i });
          expect(lines).toHaveLength(LINES_PER_FILE);
          expect(text.split('\n')).toHaveLength(LINES_PER_FILE + 1);
          expect(lines.some((l) => l.to === i)).toBe(false);
          // every other node receives something
          expect(new Set(lines.map((l) => l.to)).size).toBe(n - 1);
        });
      });

      it('has varied lengths, non-ASCII text, clean edges and an affordable total', () => {
        files.forEach((text, i) => {
          const lines = parseReplayText(text, `trans${i}.txt`);
          const lengths = lines.map((l) => codePoints(l.message));
          expect(Math.min(...lengths)).toBe(1);
          expect(Math.max(...lengths)).toBeGreaterThanOrEqual(30);
          expect(Math.max(...lengths)).toBeLessThanOrEqual(60);
          expect(lengths.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_FILE_COST_BCC);
          expect(lines.some((l) => /[^\p{ASCII}]/u.test(l.message))).toBe(true);
          for (const l of lines) expect(l.message).toBe(l.message.trim());
        });
        const all = files.join('');
        expect(/[\u0370-\u03ff]/u.test(all)).toBe(true); // Greek
        expect(/\p{Extended_Pictographic}/u.test(all)).toBe(true); // emoji
        expect(/[àâçéèêëîïôûùüÿñæœåäöóúíćčž]/iu.test(all)).toBe(true); // accents
      });

      it('matches the files committed under transactions/', () => {
        files.forEach((text, i) => {
          const path = join(process.cwd(), 'transactions', `${n}nodes`, `trans${i}.txt`);
          expect(readFileSync(path, 'utf8')).toBe(text);
        });
      });
    });
  }
});
