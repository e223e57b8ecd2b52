/** The pure protocol core: no I/O, no clock, no randomness (all injected by the caller). */
export * from './params.js';
export * from './types.js';
export * from './errors.js';
export * from './encoding.js';
export * from './crypto.js';
export * from './money.js';
export * from './fees.js';
export * from './transaction.js';
export * from './state.js';
export * from './lottery.js';
export * from './block.js';
export * from './chain.js';
export * from './pool.js';
// protocol version 2 (docs/protocol.md, "Finality, accountability and the lottery seed"), what the node runs
export * from './time.js';
export * from './rounds.js';
export * from './vote.js';
export * from './header.js';
export * from './evidence.js';
export * from './onion.js';
export * from './seed.js';
export * from './finality.js';
export * from './blockv2.js';
export * from './consensus.js';
export * from './proposal-record.js';
export * from './peer-auth.js';
