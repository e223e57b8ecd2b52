/**
 * The node's log (src/node/logger.ts): pino JSON lines by default, the pretty line for humans,
 * info and debug to one stream and warnings and errors to the other, and the level respected.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '../../src/node/logger.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error', format?: 'json' | 'pretty') {
  const out: string[] = [];
  const err: string[] = [];
  let id = -1;
  const { log } = createLogger({
    level,
    format,
    port: 5001,
    id: () => id,
    streams: { out: { write: (l: string) => out.push(l) }, err: { write: (l: string) => err.push(l) } },
  });
  return { log, out, err, setId: (n: number) => (id = n) };
}

describe('the node log', () => {
  it('writes one JSON object a line, with the port and the id as it is at each line', () => {
    const c = capture('info', 'json');
    c.log.info('listening');
    c.setId(3);
    c.log.info('joined');
    expect(c.out).toHaveLength(2);
    const [a, b] = c.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toMatchObject({ level: 30, port: 5001, node: -1, msg: 'listening' });
    expect(b).toMatchObject({ level: 30, port: 5001, node: 3, msg: 'joined' });
    expect(typeof a!.time).toBe('number');
  });

  it('sends warnings and errors to the error stream only, and keeps to its level', () => {
    const c = capture('warn', 'json');
    c.log.debug('d');
    c.log.info('i');
    c.log.warn('w');
    c.log.error('e');
    expect(c.out).toEqual([]);
    expect(c.err.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w', 'e']);
    const d = capture('debug', 'json');
    d.log.debug('d');
    expect(d.out).toHaveLength(1);
    expect(d.err).toEqual([]);
  });

  it('pretty: the line a human reads, no level word for info', () => {
    const c = capture('info', 'pretty');
    c.setId(2);
    c.log.info('caught up');
    c.log.warn('cannot reach peer 4');
    expect(c.out).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[node 2 :5001\] caught up\n$/)]);
    expect(c.err).toEqual([expect.stringMatching(/\[node 2 :5001\] warn: cannot reach peer 4\n$/)]);
    expect(prettyLine('{"level":50,"time":0,"port":1,"node":-1,"msg":"failed","err":{"message":"boom"}}')).toBe(
      '1970-01-01T00:00:00.000Z [node ? :1] error: failed: boom\n',
    );
  });
});
