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
