#!/usr/bin/env node
// The `blockchat` command: the compiled entry point (built by `npm ci` through the prepare script).
import '../dist/src/main.js';
