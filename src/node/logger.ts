/** A small leveled logger: one line per event, prefixed with the node's port and id. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(prefix: () => string, level: Level = 'info'): Logger {
  const at = ORDER[level];
  const out = (l: Level, msg: string) => {
    if (ORDER[l] < at) return;
    const line = `${new Date().toISOString()} ${prefix()} ${l === 'info' ? '' : l + ': '}${msg}\n`;
    (l === 'error' || l === 'warn' ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (m) => out('debug', m),
    info: (m) => out('info', m),
    warn: (m) => out('warn', m),
    error: (m) => out('error', m),
  };
}
