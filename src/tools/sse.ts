/** Reading server-sent events (GET /events) as they arrive: the watcher's streams and the tests'. */

/**
 * An incremental parser of a text/event-stream body (the WHATWG format): feed it decoded text as
 * it arrives, it calls back once per complete event. Comments and unknown fields are ignored.
 */
export class SseParser {
  private buffer = '';
  private eventName = '';
  private data: string[] = [];
  /** The last `id:` seen (it carries over to the events after it, as the SSE standard says). */
  lastEventId = '';

  constructor(private readonly onEvent: (event: string, data: string, id: string) => void) {}

  push(text: string): void {
    this.buffer += text;
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      const eolLength = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + eolLength);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent(this.eventName || 'message', this.data.join('\n'), this.lastEventId);
      this.eventName = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
  }
}
