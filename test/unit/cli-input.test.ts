/**
 * What a user types, checked before anything runs: the prompt's Tab completion
 * (client/complete.ts) and the command line's numeric options (src/options.ts).
 */
import { describe, expect, it } from 'vitest';
import { complete, type CompletionSource } from '../../client/complete.js';
import { COMMAND_WORDS } from '../../client/help.js';
import { lastPort, port, positive, whole } from '../../src/options.js';

const source: CompletionSource = {
  nodeIds: [0, 1, 3, 10, 11],
  sentIds: ['ab12' + '0'.repeat(60), 'ab34' + '0'.repeat(60), 'cd' + '1'.repeat(62)],
};

describe('Tab completion', () => {
  it('completes a command name with a space, or as far as the names agree with the choices shown', () => {
    expect(complete('ba', source)).toEqual({ line: 'balance ', choices: [] });
    expect(complete('HIS', source)).toEqual({ line: 'history ', choices: [] });
    expect(complete('st', source)).toEqual({ line: 'stake ', choices: [] });
    expect(complete('e', source)).toEqual({ line: 'exit ', choices: [] });
    expect(complete('t', source)).toEqual({ line: 't', choices: ['t', 'tx'] });
    const all = complete('', source);
    expect(all.line).toBe('');
    expect(all.choices).toEqual(COMMAND_WORDS);
    for (const word of ['t', 'm', 'stake', 'view', 'balance', 'inbox', 'tx', 'history', 'whoami', 'address', 'help', 'exit']) {
      expect(COMMAND_WORDS).toContain(word);
    }
    expect(complete('zz', source)).toEqual({ line: 'zz', choices: [] });
  });

  it("completes a recipient of t and m with the other nodes' ids, as id<k> or as a number", () => {
    expect(complete('t ', source)).toEqual({ line: 't id', choices: ['id0', 'id1', 'id3', 'id10', 'id11'] });
    expect(complete('m id3', source)).toEqual({ line: 'm id3 ', choices: [] });
    expect(complete('t 1', source)).toEqual({ line: 't 1', choices: ['1', '10', '11'] });
    expect(complete('t id1', source)).toEqual({ line: 't id1', choices: ['id1', 'id10', 'id11'] });
    expect(complete('T 3', source)).toEqual({ line: 'T 3 ', choices: [] });
    // Nothing to complete past the recipient, nor for a command without recipients.
    expect(complete('t 3 9', source)).toEqual({ line: 't 3 9', choices: [] });
    expect(complete('stake 1', source)).toEqual({ line: 'stake 1', choices: [] });
  });

  it('completes tx with the ids sent in this session, newest first', () => {
    expect(complete('tx ', source)).toEqual({ line: 'tx ', choices: [...source.sentIds].reverse() });
    expect(complete('tx ab', source)).toEqual({ line: 'tx ab', choices: [source.sentIds[1], source.sentIds[0]] });
    expect(complete('tx cd', source)).toEqual({ line: `tx ${source.sentIds[2]} `, choices: [] });
  });
});

describe('numeric options', () => {
  it('takes whole numbers in range, as typed', () => {
    expect(port('-p')('5000')).toBe(5000);
    expect(port('-p')('1')).toBe(1);
    expect(port('-p')('65535')).toBe(65535);
    expect(whole('-n', 1)('12')).toBe(12);
    expect(whole('--block-timeout', 0)('0')).toBe(0);
    expect(positive('--rate')('2.5')).toBe(2.5);
    expect(lastPort(5000, 5)).toBe(5004);
  });

  it('refuses anything else with an error that names the flag', () => {
    const cases: [(v: unknown) => number, unknown, string][] = [
      [port('-p'), 'abc', '-p'],
      [port('-p'), '0', '-p'],
      [port('-p'), '65536', '-p'],
      [port('-p'), '1e3', '-p'],
      [port('-p'), '50.5', '-p'],
      [port('-p'), '', '-p'],
      [port('-p'), ['5000', '5001'], '-p'],
      [whole('-n', 1), '0', '-n'],
      [whole('-n', 1), '-3', '-n'],
      [whole('-capacity', 1), 'NaN', '-capacity'],
      [whole('-n', 1), '99999999999999999999', '-n'],
      [positive('--rate'), '0', '--rate'],
      [positive('--rate'), 'fast', '--rate'],
    ];
    for (const [check, value, flag] of cases) {
      expect(() => check(value), String(value)).toThrow(flag);
    }
    expect(() => lastPort(65534, 3)).toThrow(/65536/);
  });
});
