/**
 * The core keeps its own types of a block and a transaction (src/core imports nothing but
 * noble); the API derives its wire types from the schemas. They must describe the same data:
 * checked by the type checker (`npx tsc --noEmit -p .` covers test/), and so by `npm test`'s build.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Block as CoreBlock, Transaction as CoreTransaction, TxType as CoreTxType } from '../../src/core/types.js';
import type { BlockV2 } from '../../src/core/blockv2.js';
import type { WireBlock, WireTransaction } from '../../src/api/types.js';

/** A type with every `readonly` removed, deeply (the core's types are read-only, the schemas' are not). */
type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

describe('the core types and the schema-derived wire types agree', () => {
  it('a transaction', () => {
    expectTypeOf<Mutable<CoreTransaction>>().toEqualTypeOf<WireTransaction>();
    expectTypeOf<WireTransaction['type']>().toEqualTypeOf<CoreTxType>();
  });

  it('a block: the genesis form, with the fields of protocol version 2 that every later block has', () => {
    type CoreWireBlock = CoreBlock & Partial<Pick<BlockV2, 'round' | 'reveal' | 'votes' | 'evidence'>>;
    expectTypeOf<Mutable<CoreWireBlock>>().toEqualTypeOf<WireBlock>();
  });
});
