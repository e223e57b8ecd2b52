/** What a node is started with (cli-entry.ts reads it from the command line). */
import type { CryptoChoice } from '../crypto/select.js';
import type { Logger } from './logger.js';

export interface NodeConfig {
  port: number;
  /** Host peers reach this node at. */
  host: string;
  isBootstrap: boolean;
  /** Network size and block capacity; a restarting node takes them from its data directory. */
  n?: number;
  capacity?: number;
  bootstrapUrl: string;
  /** Initial stake in units. */
  stake: number;
  dataDir: string;
  /** Ms a validator waits before minting a partial block; 0 disables partial blocks. */
  blockTimeoutMs: number;
  /**
   * Join only once the bootstrap counts this many nodes (itself included): lets a launcher start
   * processes in parallel yet give node i the id i.
   */
  joinAfter?: number;
  log: Logger;
  /** The cryptography suite, chosen and checked against noble as the node starts (src/crypto/select.ts). */
  crypto: CryptoChoice;
  /**
   * HTTPS (docs/operations.md, "TLS"): this node serves with `cert` and `key`, reaches its peers
   * and the bootstrap at https URLs, and trusts `ca` (PEM) for them besides the system's roots.
   */
  tls?: { cert: string; key: string; ca?: string };
  /** The clock, injected so that nothing below reads time on its own. */
  now?: () => number;
  /**
   * Gives the C library's free memory back to the system (the native binding's trimHeap; true
   * if some was returned): called every HEAP_TRIM_INTERVAL_MS while the node runs, and once after
   * it replayed its stored chain. Absent (no binding), nothing is trimmed.
   */
  trimHeap?: () => boolean;
}
