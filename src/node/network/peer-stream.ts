/**
 * The persistent peer stream: one long-lived connection per peer and kind (transactions, blocks),
 * opened with an HTTP upgrade on GET /peer/stream, that carries frames one way, without answers.
 * A frame is a tag, a JSON text and a newline (JSON.stringify never emits a raw newline):
 * `T[transaction, …]` or `B{block}`. It replaces one HTTP request and answer per transaction
 * batch and per block with one write of whatever is ready in a turn of the event loop; the
 * receiver checks every frame exactly as the REST peer routes check their bodies (same schemas,
 * same intake: src/node/http/peer-routes.ts, src/node/ingest/). A peer that does not speak it
 * (or cannot be reached) gets the REST routes.
 */
import { request } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { ROUTES, BODY_LIMIT } from '../../api/routes.js';

export const STREAM_PROTOCOL = 'blockchat-peer/1';
export type FrameKind = 'tx' | 'block' | 'vote';
/** `V{"votes": […], "evidence": […]}` (finality votes and evidence) travels on the block stream. */
export const TAG: Readonly<Record<FrameKind, string>> = { tx: 'T', block: 'B', vote: 'V' };

/** After a peer refused the upgrade (it does not speak the stream): REST for this long. */
const REFUSED_BACKOFF_MS = 60_000;
/** After a connection failed: REST (which logs the failure) for this long, then try again. */
const FAILED_BACKOFF_MS = 2_000;

type LinkState = 'idle' | 'connecting' | 'open' | 'draining' | 'off';

/** The sending end of one stream to one peer; `onReady` is called whenever it can take frames again, or went off. */
export class PeerLink {
  private state: LinkState = 'idle';
  private socket: Socket | undefined;
  private offUntil = 0;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly kind: FrameKind,
    private readonly onReady: () => void,
  ) {}

  /** True when a frame can be written now; starts connecting if there is no connection. */
  writable(): boolean {
    if (this.state === 'idle' || (this.state === 'off' && Date.now() >= this.offUntil)) this.connect();
    return this.state === 'open';
  }

  /** True while the link will call onReady later (connecting, or waiting for the socket to drain). */
  waiting(): boolean {
    return this.state === 'connecting' || this.state === 'draining';
  }

  /** True while connected (frames written when draining are buffered, in order). */
  connected(): boolean {
    return this.state === 'open' || this.state === 'draining';
  }

  /** True when frames must go by REST for now. */
  off(): boolean {
    return this.state === 'off' && Date.now() < this.offUntil;
  }

  /** Writes one frame's JSON (only when connected()); `kind`: the link's own unless given. */
  write(json: string, kind: FrameKind = this.kind): void {
    const socket = this.socket!;
    if (!socket.write(TAG[kind] + json + '\n') && this.state === 'open') {
      this.state = 'draining';
      socket.once('drain', () => {
        if (this.state !== 'draining') return;
        this.state = 'open';
        this.onReady();
      });
    }
  }

  private connect(): void {
    if (this.closed) return;
    this.state = 'connecting';
    const req = request({
      host: this.host,
      port: this.port,
      path: `${ROUTES.peerStream}?kind=${this.kind}`,
      headers: { connection: 'Upgrade', upgrade: STREAM_PROTOCOL },
      timeout: 5_000,
    });
    req.on('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => {
      if (head.length > 0 || this.closed) {
        socket.destroy();
        return this.fail(FAILED_BACKOFF_MS);
      }
      socket.setNoDelay(true);
      socket.setTimeout(0); // the connect timeout stays on the socket otherwise; an idle stream is fine
      socket.on('data', () => undefined); // the receiver never answers; keep the socket flowing
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        if (this.state === 'open' || this.state === 'draining') this.state = 'idle';
      });
      this.socket = socket;
      this.state = 'open';
      this.onReady();
    });
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      this.fail(REFUSED_BACKOFF_MS);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => this.fail(FAILED_BACKOFF_MS));
    req.end();
  }

  private fail(backoffMs: number): void {
    if (this.state !== 'connecting') return;
    this.state = 'off';
    this.offUntil = Date.now() + backoffMs;
    this.onReady();
  }

  close(): void {
    this.closed = true;
    this.state = 'off';
    this.offUntil = Number.MAX_SAFE_INTEGER;
    this.socket?.destroy();
  }
}

/** What the receiving end does with one frame's JSON text; it resolves when the frame is handled. */
export type FrameHandler = (kind: FrameKind, json: string) => Promise<void>;

/** Most frames read ahead of the one being handled before the socket is paused. */
const READ_AHEAD = 64;

/**
 * The receiving end: answers the upgrade, then splits the stream into frames and hands them to
 * `handle` one at a time, in order (a slow frame pauses the socket, so a sender cannot make the
 * node buffer without bound). A frame longer than the REST body limit ends the connection.
 */
export function acceptStream(socket: Duplex, head: Buffer, handle: FrameHandler, onError: (err: unknown) => void): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${STREAM_PROTOCOL}\r\nconnection: Upgrade\r\n\r\n`);
  (socket as Socket).setNoDelay?.(true);
  const frames: string[] = [];
  let partial = '';
  let busy = false;
  const pump = async () => {
    busy = true;
    while (frames.length > 0) {
      const frame = frames.shift()!;
      if (frames.length < READ_AHEAD / 2) socket.resume();
      const kind = frame[0] === TAG.tx ? 'tx' : frame[0] === TAG.block ? 'block' : frame[0] === TAG.vote ? 'vote' : undefined;
      try {
        if (kind) await handle(kind, frame.slice(1));
      } catch (err) {
        onError(err);
      }
    }
    busy = false;
  };
  const onData = (chunk: string) => {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      frames.push(partial + chunk.slice(start, nl));
      partial = '';
      start = nl + 1;
    }
    partial += chunk.slice(start);
    if (partial.length > BODY_LIMIT) {
      socket.destroy();
      return;
    }
    if (frames.length > READ_AHEAD) socket.pause();
    if (!busy && frames.length > 0) void pump();
  };
  // (the HTTP server forbids setEncoding on its sockets, even once upgraded)
  const utf8 = new StringDecoder('utf8');
  socket.on('data', (chunk: Buffer) => onData(utf8.write(chunk)));
  socket.on('error', () => undefined);
  if (head.length > 0) onData(utf8.write(head));
}
