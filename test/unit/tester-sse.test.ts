import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/tools/sse.js';

function collect(chunks: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const p = new SseParser((e, d) => out.push([e, d]));
  for (const c of chunks) p.push(c);
  return out;
}

describe('SseParser', () => {
  it('parses named events, ignoring comments and retry', () => {
    const text = 'retry: 1000\n\n: keep-alive\n\nevent: block\ndata: {"index":1}\n\nevent: block\ndata: {"index":2}\n\n';
    expect(collect([text])).toEqual([
      ['block', '{"index":1}'],
      ['block', '{"index":2}'],
    ]);
  });

  it('handles events split across chunks at any point, and CRLF', () => {
    const text = 'event: block\r\ndata: {"a":"γεια"}\r\n\r\nevent: block\ndata: x\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(collect([text.slice(0, cut), text.slice(cut)])).toEqual([
        ['block', '{"a":"γεια"}'],
        ['block', 'x'],
      ]);
    }
  });

  it('joins multi-line data and defaults the event name', () => {
    expect(collect(['data: a\ndata: b\n\n'])).toEqual([['message', 'a\nb']]);
  });

  it('does not dispatch an incomplete event', () => {
    expect(collect(['event: block\ndata: {"index":1}\n'])).toEqual([]);
  });
});
