/**
 * The V8 flags of every node process: src/tools/network.ts gives them to the nodes it spawns, and
 * bin/blockchat.js runs `blockchat node` again in a node with them. V8 reads heap sizes only
 * when it starts (measured: after v8.setFlagsFromString("--max-semi-space-size=4") the young
 * generation stays at its default size), so they go on the command line.
 * - a 4 MB young generation instead of V8's default 16 MB semi-spaces keeps a node ~15 MB
 *   smaller with no loss of throughput (measured with load at 20,000 transfers: ~120 MB against
 *   ~136 MB resident);
 * - the old generation may grow to 1.5× what survived the last full collection before the next
 *   one. V8's own factor, for a program that allocates as fast as a loaded node, reaches 4×: with
 *   ~25 MB live (a heap snapshot after 100,000 transfers: recent blocks, code, no leak) a node
 *   could hold ~100 MB of heap, mostly garbage, and keep it when the load stopped. Measured after
 *   100,000 transfers: heap 31-33 MB and 113-117 MB resident on every node (before: one node at
 *   79 MB of heap and 154 MB resident), and no change in CPU per transfer;
 * - a function is optimised after 4× V8's default amount of work in it (interrupt budget 264 KB
 *   instead of 66 KB). Ten nodes on two cores each compiled ~100 functions with TurboFan during
 *   a 20,000-transfer load, and compiling was 12 % of all CPU (perf record -a); with the larger
 *   budget only the really hot functions get compiled. Interleaved runs of blockchat load, 10
 *   nodes: 1,547/1,533/1,508/1,444 tx/s against 1,451/1,420/1,382/1,386 (node CPU per transfer
 *   1.19–1.27 ms against 1.27–1.33); 5 nodes: no difference (2,991/3,010/2,949 against
 *   2,939/3,028/3,028). ×8 and ×16 were between the two.
 */
export const NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50', '--interrupt-budget=270336'];
