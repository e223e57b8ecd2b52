import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReplayText, readReplayDir, ReplayInputError } from '../../src/tools/replay-input.js';
import { replayPlan } from '../../src/tools/tester.js';
import { loadPlans } from '../../src/tools/load.js';
import { byNodeId } from '../../src/tools/harness.js';

/**
 * The course's inputs are not part of the repository: they lie in shared/ntua-inputs beside it
 * (../shared from the main checkout) or beside a folder above it (from a worktree).
 */
function courseInputs(name: string): string | undefined {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'ntua-inputs', name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

describe('replay input parsing', () => {
  it('parses LF lines, in order', () => {
    const lines = parseReplayText('id1 hello\nid2 two words \nid0 γεια σου 🚀\n', 'f.txt');
    expect(lines).toEqual([
      { to: 1, message: 'hello', line: 1 },
      { to: 2, message: 'two words ', line: 2 },
      { to: 0, message: 'γεια σου 🚀', line: 3 },
    ]);
  });

  it('parses CRLF lines and ignores blank lines and a missing final newline', () => {
    const lines = parseReplayText('id1 a\r\n\r\nid3 b c\r\n   \r\nid4 last', 'f.txt');
    expect(lines.map((l) => [l.to, l.message, l.line])).toEqual([
      [1, 'a', 1],
      [3, 'b c', 3],
      [4, 'last', 5],
    ]);
  });

  it('strips a byte-order mark', () => {
    expect(parseReplayText('\uFEFFid2 x\n', 'f.txt')).toEqual([{ to: 2, message: 'x', line: 1 }]);
  });

  it('keeps everything after the first space, including more spaces', () => {
    expect(parseReplayText('id1  indented\n', 'f.txt')[0]?.message).toBe(' indented');
  });

  it.each([
    ['hello world', /f\.txt:2: expected "id<k> <message>"/],
    ['id hello', /f\.txt:2: expected/],
    ['idx hello', /f\.txt:2: expected/],
    ['id3', /f\.txt:2: expected/],
    ['id3 ', /f\.txt:2: the message is empty/],
    ['id3    ', /f\.txt:2: the message is empty/],
    ['3 hello', /f\.txt:2: expected/],
  ])('rejects the bad line %j with file:line', (bad, re) => {
    const text = `id1 ok\n${bad}\nid2 fine\n`;
    expect(() => parseReplayText(text, 'f.txt')).toThrow(ReplayInputError);
    expect(() => parseReplayText(text, 'f.txt')).toThrow(re);
  });

  it('checks recipients against n and the sender', () => {
    expect(() => parseReplayText('id1 a\nid5 b\n', 'f.txt', { n: 5 })).toThrow(/f\.txt:2: recipient id5 does not exist/);
    expect(() => parseReplayText('id1 a\nid2 b\n', 'f.txt', { self: 1 })).toThrow(/f\.txt:1: node 1 cannot send a message to itself/);
  });

  it('rejects a message longer than 1024 characters', () => {
    expect(() => parseReplayText(`id1 ${'x'.repeat(1025)}\n`, 'f.txt')).toThrow(/f\.txt:1: the message is longer/);
    expect(parseReplayText(`id1 ${'é'.repeat(1024)}\n`, 'f.txt')).toHaveLength(1);
  });

  it('reads a directory of trans files, and names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    writeFileSync(join(dir, 'trans0.txt'), 'id1 zero to one\r\n');
    writeFileSync(join(dir, 'trans1.txt'), 'id0 one to zero\n');
    const files = readReplayDir(dir, 2);
    expect(files.map((f) => f.map((l) => l.to))).toEqual([[1], [0]]);
    expect(() => readReplayDir(dir, 3)).toThrow(/trans2\.txt: cannot read the file/);
  });

  it('parses the course inputs (shared/ntua-inputs beside the repository or a folder above it)', () => {
    const dir = courseInputs('5nodes');
    expect(dir, `no shared/ntua-inputs/5nodes beside ${process.cwd()} or any folder above it`).toBeDefined();
    const files = readReplayDir(dir!, 5);
    expect(files).toHaveLength(5);
    expect(files.every((f) => f.length === 100)).toBe(true);
  });

  it('turns lines into message requests', () => {
    expect(replayPlan(parseReplayText('id3 hi\n', 'f'))).toEqual([{ type: 'message', to: 3, message: 'hi' }]);
  });
});

describe('load plans', () => {
  it('spreads K transfers over every wallet, never to the sender', () => {
    const plans = loadPlans(5, 23);
    expect(plans.map((p) => p.length)).toEqual([5, 5, 5, 4, 4]);
    plans.forEach((plan, i) => {
      for (const req of plan) {
        expect(req.type).toBe('coins');
        expect(req.amount).toBe(1);
        expect(req.to).not.toBe(i);
      }
    });
    // node 0 goes round the others in turn
    expect(plans[0]?.map((r) => r.to)).toEqual([1, 2, 3, 4, 1]);
  });

  it('needs two nodes', () => {
    expect(() => loadPlans(1, 10)).toThrow();
  });
});

describe('byNodeId', () => {
  it('orders clients by the id each port reported', () => {
    expect(byNodeId(['p0', 'p1', 'p2'], [0, 2, 1], 5000)).toEqual(['p0', 'p2', 'p1']);
  });
  it('refuses duplicate or out-of-range ids', () => {
    expect(() => byNodeId(['a', 'b'], [0, 0], 5000)).toThrow(/port 5001 reports id 0/);
    expect(() => byNodeId(['a', 'b'], [0, 2], 5000)).toThrow(/reports id 2/);
  });
});
