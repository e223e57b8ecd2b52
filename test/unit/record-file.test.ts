/**
 * The records a node keeps across a crash (docs/protocol.md, "Liveness"): what its validator
 * proposed and what its staker voted, each overwritten in place by one write of a fixed
 * length, read back by the next process.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_BYTES, RecordFile } from '../../src/node/record-file.js';
import { NO_PROPOSAL } from '../../src/core/proposal-record.js';
import { SignedProposals } from '../../src/node/minter/proposal-record.js';
import { VoteMemory } from '../../src/node/voting/memory.js';

const made: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'blockchat-record-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('RecordFile', () => {
  it('a shorter record replaces a longer one entirely, the file keeps its fixed length and mode 0600', () => {
    const path = join(scratch(), 'r');
    const file = new RecordFile(path);
    expect(file.initial).toBe('');
    file.write('{"maxSource":123456,"maxTarget":123460}');
    file.write('7');
    file.close();
    expect(new RecordFile(path).initial).toBe('7');
    expect(statSync(path).size).toBe(RECORD_BYTES);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('reads a record left by the earlier format (the text and a newline)', () => {
    const path = join(scratch(), 'r');
    writeFileSync(path, '41\n');
    const file = new RecordFile(path);
    expect(file.initial).toBe('41');
    file.write('42');
    file.close();
    expect(readFileSync(path, 'utf8').trim()).toBe('42');
  });

  it('refuses a record that does not fit or spans lines, and a write after close', () => {
    const file = new RecordFile(join(scratch(), 'r'));
    expect(() => file.write('x'.repeat(RECORD_BYTES))).toThrow(RangeError);
    expect(() => file.write('a\nb')).toThrow(RangeError);
    file.close();
    expect(() => file.write('1')).toThrow();
  });
});

describe('what a restart remembers', () => {
  it('the proposal record: a later process refuses every (height, round) signed before', () => {
    const dir = scratch();
    const first = new SignedProposals(dir);
    expect(first.value).toEqual(NO_PROPOSAL);
    expect(first.claim(9, 0)).toBe(true);
    expect(first.claim(10, 0)).toBe(true);
    expect(first.claim(10, 0)).toBe(false);
    const again = new SignedProposals(dir);
    expect(again.value).toEqual({ height: 10, round: 0, floor: 0 });
    expect(again.claim(10, 0)).toBe(false);
    expect(again.claim(11, 0)).toBe(true);
  });

  it('the votes: a later process starts from the last saved source and target', () => {
    const dir = scratch();
    const first = new VoteMemory(dir);
    first.save({ maxSource: 100, maxTarget: 1000 });
    first.save({ maxSource: 104, maxTarget: 1004 });
    expect(new VoteMemory(dir).value).toEqual({ maxSource: 104, maxTarget: 1004 });
  });
});
