/**
 * The V8 flags of every node process: src/tools/network.ts gives them to the nodes it spawns, and
 * bin/blockchat.js runs `blockchat node` again in a node with them. V8 reads heap sizes only
 * when it starts (v8.setFlagsFromString does not resize the young generation), so they go on the
 * command line.
 * - a 4 MB young generation instead of V8's default 16 MB semi-spaces: a smaller node, with no
 *   loss of throughput;
 * - the old generation may grow to 1.5× what survived the last full collection before the next
 *   one. V8's own factor, for a program that allocates as fast as a loaded node, reaches 4×: a
 *   node would hold mostly garbage, and keep it when the load stopped;
 * - a function is optimised after 4× V8's default amount of work in it (interrupt budget 264 KB
 *   instead of 66 KB), so that only the really hot functions are compiled with TurboFan on a
 *   machine that many nodes share.
 * The figures (resident memory, heap, throughput with and without each flag) are in
 * bench/results/report.md ("Memory", "Measured effect of single changes"), where they are dated.
 */
export const NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50', '--interrupt-budget=270336'];

/**
 * glibc's allocator settings of every node process, read by the C library when the process starts
 * (so given in its environment, like NODE_FLAGS on its command line). With glibc's defaults, the
 * memory a loaded node frees outside V8's heap (socket and HTTP buffers, LevelDB's batches) stays
 * with the process: resident memory rose with every minute of a soak while the JS heap did not.
 * Two arenas instead of eight per core, and returning free memory at the top of the heap above
 * 128 KB, keep it level (bench/results/report.md, "Soak with finality"). An operator's own values win.
 */
export const NODE_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };

/** `env` with NODE_MALLOC_ENV's settings added where `env` has none of its own. */
export function withNodeMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...NODE_MALLOC_ENV, ...env };
}

/** True when `env` already carries every NODE_MALLOC_ENV setting (any value). */
export function hasNodeMalloc(env: NodeJS.ProcessEnv): boolean {
  return Object.keys(NODE_MALLOC_ENV).every((k) => env[k] !== undefined);
}
