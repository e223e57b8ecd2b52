/**
 * The node's log: one pino logger, shared with Fastify (so that the server's own errors land in
 * the same log). Each line is a JSON object (`level`, `time`, `node`, `port`, `msg`) unless the
 * output is for a human: on a terminal, or with `--log-format pretty`, each line reads
 * `<ISO time> [node <id> :<port>] <level>: <message>` (no level word for info). Info and debug go
 * to stdout, warnings and errors to stderr.
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** What the node's parts log through. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  level: Level;
  port: number;
  /** The node's id once it has one (-1 before). */
  id: () => number;
  /** JSON unless given; `pretty` is for a human reading a terminal. */
  format?: LogFormat;
  /** Where lines go (tests); stdout and stderr by level otherwise. */
  streams?: { out: DestinationStream; err: DestinationStream };
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** One JSON log record as the line a human reads (the format of the pretty output). */
export function prettyLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVEL_NAMES[Number(rec.level)] ?? String(rec.level);
  const id = typeof rec.node === 'number' && rec.node >= 0 ? String(rec.node) : '?';
  const err = rec.err as { message?: string; stack?: string } | undefined;
  const msg = [rec.msg, err?.stack ?? err?.message].filter((m) => typeof m === 'string' && m !== '').join(': ');
  const time = new Date(Number(rec.time)).toISOString();
  return `${time} [node ${id} :${String(rec.port)}] ${level === 'info' ? '' : `${level}: `}${msg}\n`;
}

function prettyStream(dest: DestinationStream): DestinationStream {
  return { write: (line: string) => dest.write(prettyLine(line)) };
}

/** The format a node logs in when none is asked for: pretty on a terminal, JSON otherwise. */
export function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY ? 'pretty' : 'json';
}

/** The node's pino logger (given to Fastify too) and the small interface its parts use. */
export function createLogger(opts: LoggerOptions): { log: Logger; pino: PinoLogger } {
  const out = opts.streams?.out ?? pino.destination({ fd: 1, sync: true });
  const err = opts.streams?.err ?? pino.destination({ fd: 2, sync: true });
  const pretty = (opts.format ?? defaultLogFormat()) === 'pretty';
  const wrap = (d: DestinationStream) => (pretty ? prettyStream(d) : d);
  const logger = pino(
    {
      level: opts.level,
      base: { port: opts.port },
      mixin: () => ({ node: opts.id() }),
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    pino.multistream(
      [
        { level: 'debug', stream: wrap(out) },
        { level: 'warn', stream: wrap(err) },
      ],
      { dedupe: true },
    ),
  );
  return {
    pino: logger,
    log: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  };
}
