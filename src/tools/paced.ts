/**
 * A paced, open-ended load (the soak, the flood): every tick, `rate · tickMs / 1000` transfers (at
 * least one) spread over the senders of that tick, each sender's share sent as one batch. A tick
 * does not wait for the previous ones' answers (up to `maxInFlight` ticks outstanding), so that a
 * slow answer does not lower the offered rate. (`blockchat load --rate` paces a fixed number of
 * transfers per node with a bounded backlog instead: src/tools/harness.ts.)
 */
import type { SubmitRequest } from '../api/types.js';

export interface PacedLoadOptions {
  /** Transfers offered per second over all senders. */
  rate: number;
  tickMs: number;
  /** Ticks whose answers may be outstanding at once. */
  maxInFlight: number;
  /** The senders of a tick (e.g. the nodes that are up), in order. */
  senders(): readonly number[];
  /** The s-th transfer of tick k from `sender`, the i-th of the tick's senders. */
  request(sender: number, i: number, k: number, s: number): SubmitRequest;
  /** Sends one sender's share of a tick and counts its answers; must not throw. */
  send(sender: number, reqs: SubmitRequest[]): Promise<void>;
  /** Told what each tick offers, before it is sent. */
  offered?(count: number): void;
}

/** Starts the load; the returned function stops it and resolves once every answer is in. */
export function startPacedLoad(opts: PacedLoadOptions): () => Promise<void> {
  let on = true;
  const inFlight = new Set<Promise<void>>();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const loop = (async () => {
    let next = Date.now();
    for (let k = 0; on; k++) {
      next += opts.tickMs;
      const senders = opts.senders();
      const perTick = Math.max(1, Math.round((opts.rate * opts.tickMs) / 1000));
      opts.offered?.(perTick);
      const tick = Promise.all(
        senders.map(async (sender, i) => {
          const share = Math.floor(perTick / senders.length) + (i < perTick % senders.length ? 1 : 0);
          if (share === 0) return;
          await opts.send(
            sender,
            Array.from({ length: share }, (_, s) => opts.request(sender, i, k, s)),
          );
        }),
      ).then(() => undefined);
      inFlight.add(tick);
      void tick.then(() => inFlight.delete(tick));
      while (inFlight.size >= opts.maxInFlight) await Promise.race(inFlight);
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return async () => {
    on = false;
    await loop;
    await Promise.all(inFlight);
  };
}
