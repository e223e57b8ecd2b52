/**
 * The soak's schedule (scripts/soak.ts): which node is SIGKILLed at each full minute, and which
 * minutes of a node's run its memory check compares.
 */

/** The node killed at minute m (1-based) of a network of n nodes: 1, then the bootstrap once, then 2 … n − 1, 1, 2, … */
export function victimOf(minute: number, n: number): number {
  if (minute === 1) return 1;
  if (minute === 2) return 0;
  return 1 + ((minute - 3 + 1) % (n - 1));
}

/**
 * The two minutes (0-based rows) whose mean RSS the memory check compares for `node`: the first
 * from the second minute on, and the last, in which the node was not killed. A minute in which a
 * node is killed is mostly a fresh process replaying the chain, whose memory says nothing about
 * growth: compared with it, a node restarted in minute 2 looked as if it grew while its peers'
 * memory stood still.
 * `killed[m]` is the node killed at the start of row m (undefined for none). Undefined when the
 * run leaves fewer than two such minutes.
 */
export function memoryWindow(killed: readonly (number | undefined)[], node: number): { first: number; last: number } | undefined {
  const whole = [...killed.keys()].filter((m) => m >= 1 && killed[m] !== node);
  const first = whole[0];
  const last = whole[whole.length - 1];
  return first !== undefined && last !== undefined && last > first ? { first, last } : undefined;
}
