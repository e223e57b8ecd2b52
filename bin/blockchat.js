#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50 --interrupt-budget=270336
// The `blockchat` command: the compiled entry point (built by `npm ci` through the prepare script).
// A 4 MB young generation and a 1.5x old-generation growth keep a node's memory down at no cost in
// throughput (scripts/network.ts, NODE_FLAGS).
import '../dist/src/main.js';
