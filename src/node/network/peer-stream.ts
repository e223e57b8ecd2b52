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
import { request as httpsRequest } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { ROUTES } from '../../api/routes.js';
import { SESSION_HEADER } from '../../core/peer-auth.js';

/** A peer's session credential, taken on demand (peers.ts); `forget` drops it after a 401. */
export interface SessionSource {
  session: () => Promise<string>;
  forget: (session: string) => void;
}

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
    private readonly credentials: SessionSource,
    /** Over TLS, trusting `ca` besides the system's roots; plain HTTP when undefined. */
    private readonly tls?: { ca?: string },
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

  /** Ends a backoff: the next frame tries the stream again. */
  retryNow(): void {
    if (this.state === 'off' && !this.closed) this.offUntil = 0;
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
    this.credentials.session().then(
      (session) => this.open(session),
      () => this.fail(FAILED_BACKOFF_MS),
    );
  }

  /** Opens the stream with the member's session (members only: docs/protocol.md). */
  private open(session: string): void {
    if (this.closed) return this.fail(FAILED_BACKOFF_MS);
    const req = (this.tls ? httpsRequest : request)({
      ...(this.tls?.ca === undefined ? {} : { ca: this.tls.ca }),
      host: this.host,
      port: this.port,
      path: `${ROUTES.peerStream}?kind=${this.kind}`,
      headers: { connection: 'Upgrade', upgrade: STREAM_PROTOCOL, [SESSION_HEADER]: session },
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
      if (res.statusCode === 401) {
        // the session expired or the peer restarted: a new one next time
        this.credentials.forget(session);
        return this.fail(FAILED_BACKOFF_MS);
      }
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
/** Most bytes of frames read ahead of the one being handled before the socket is paused. */
export const MAX_QUEUED_BYTES = 1024 * 1024;
/**
 * Most bytes of a transaction frame: senders split their batches to fit (takeBatch), so a longer
 * frame is not from an honest peer. Far below the REST body limit: a peer stream holds at most
 * one partial frame and MAX_QUEUED_BYTES of whole ones, whatever the sender does.
 */
export const MAX_TX_FRAME_BYTES = 1024 * 1024;
/**
 * Most bytes of a transaction as JSON: a message of 1024 code points, each escaped as \uXXXX at
 * worst (6 bytes), and the other fields.
 */
export const MAX_TX_JSON_BYTES = 1024 * 6 + 1024;
/** The longest block frame a network of this capacity can carry honestly (1 MiB until formed). */
export function maxBlockFrameBytes(capacity: number | undefined): number {
  return capacity === undefined ? MAX_TX_FRAME_BYTES : capacity * MAX_TX_JSON_BYTES + 2048;
}
/** A frame must be whole within this long of its first byte (a slow sender holds no buffer for long). */
export const FRAME_TIMEOUT_MS = 30_000;
/** A stream that carries nothing for this long is closed (the sender reconnects when it has a frame). */
export const IDLE_TIMEOUT_MS = 300_000;

/**
 * Takes the next batch of serialised transactions off `outbox`: at most MAX_TX_BATCH, and at
 * most MAX_TX_FRAME_BYTES once framed (always at least one).
 */
export function takeBatch(outbox: string[], maxCount: number): string[] {
  let bytes = 3;
  let count = 0;
  while (count < outbox.length && count < maxCount) {
    bytes += Buffer.byteLength(outbox[count]!) + 1;
    if (count > 0 && bytes > MAX_TX_FRAME_BYTES) break;
    count++;
  }
  return outbox.splice(0, count);
}

export interface StreamLimits {
  /** Most bytes of one block frame (maxBlockFrameBytes of the network's capacity). */
  blockFrameBytes: number;
}

/**
 * The receiving end: answers the upgrade, then splits the stream into frames and hands them to
 * `handle` one at a time, in order. Bounded in bytes and time: a slow frame pauses the socket
 * once READ_AHEAD frames or MAX_QUEUED_BYTES wait; a frame longer than its kind allows (a
 * transaction frame MAX_TX_FRAME_BYTES, a block frame `limits.blockFrameBytes`), not whole
 * within FRAME_TIMEOUT_MS, or a stream idle for IDLE_TIMEOUT_MS ends the connection.
 */
export function acceptStream(
  socket: Duplex,
  head: Buffer,
  handle: FrameHandler,
  onError: (err: unknown) => void,
  limits: StreamLimits = { blockFrameBytes: MAX_TX_FRAME_BYTES },
): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${STREAM_PROTOCOL}\r\nconnection: Upgrade\r\n\r\n`);
  (socket as Socket).setNoDelay?.(true);
  (socket as Socket).setTimeout?.(IDLE_TIMEOUT_MS, () => socket.destroy());
  const frames: string[] = [];
  let queued = 0;
  let partial = '';
  let partialBytes = 0;
  let frameTimer: NodeJS.Timeout | undefined;
  let busy = false;
  // votes and evidence (which may hold two block headers) are bounded as blocks are
  const limitOf = (tag: string | undefined): number =>
    tag === TAG.block || tag === TAG.vote ? limits.blockFrameBytes : MAX_TX_FRAME_BYTES;
  const pump = async () => {
    busy = true;
    while (frames.length > 0 && !socket.destroyed) {
      const frame = frames.shift()!;
      queued -= frame.length;
      if (frames.length < READ_AHEAD / 2 && queued < MAX_QUEUED_BYTES / 2) socket.resume();
      const kind = frame[0] === TAG.tx ? 'tx' : frame[0] === TAG.block ? 'block' : frame[0] === TAG.vote ? 'vote' : undefined;
      try {
        if (kind) await handle(kind, frame.slice(1));
      } catch (err) {
        onError(err);
      }
    }
    frames.length = 0;
    busy = false;
  };
  const onData = (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const frame = partial + utf8.end(chunk.subarray(start, nl));
      if (partialBytes + nl - start > limitOf(frame[0])) return socket.destroy();
      frames.push(frame);
      queued += frame.length;
      partial = '';
      partialBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      partial += utf8.write(chunk.subarray(start));
      partialBytes += chunk.length - start;
      if (partialBytes > limitOf(partial[0])) return socket.destroy();
    }
    if (partialBytes === 0) {
      clearTimeout(frameTimer);
      frameTimer = undefined;
    } else if (start > 0 || frameTimer === undefined) {
      // a new frame began: it must be whole in time
      clearTimeout(frameTimer);
      frameTimer = setTimeout(() => socket.destroy(), FRAME_TIMEOUT_MS);
      frameTimer.unref();
    }
    if (frames.length > READ_AHEAD || queued > MAX_QUEUED_BYTES) socket.pause();
    if (!busy && frames.length > 0) void pump();
  };
  // (the HTTP server forbids setEncoding on its sockets, even once upgraded; a character split
  // between chunks is kept by the decoder, and a newline byte never occurs inside one)
  const utf8 = new StringDecoder('utf8');
  socket.on('data', onData);
  socket.on('error', () => undefined);
  socket.on('close', () => clearTimeout(frameTimer));
  if (head.length > 0) onData(head);
}
