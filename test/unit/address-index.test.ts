/**
 * Any address's transactions (GET /accounts/:address/transactions): the per-address index of
 * blocks, and the filters and paging of the view that reads those blocks.
 */
import { describe, expect, it } from 'vitest';
import type { Block, Transaction } from '../../src/core/types.js';
import { AddressIndex } from '../../src/node/chain/addresses.js';
import type { ChainFollower } from '../../src/node/chain/index.js';
import type { ChainStore } from '../../src/node/db/index.js';
import type { TxPool } from '../../src/core/pool.js';
import { AddressViews } from '../../src/node/views/addresses.js';
import { cursorAfter, readCursor } from '../../src/node/chain/cursor.js';

const A = 'a'.repeat(66);
const B = 'b'.repeat(66);
const C = 'c'.repeat(66);

let n = 0;
function tx(sender: string, receiver: string, type: Transaction['type'] = 'message'): Transaction {
  n += 1;
  return { sender, receiver, type, amount: 0, message: `m${n}`, nonce: n, id: String(n).padStart(64, '0'), signature: '' };
}

function block(index: number, transactions: Transaction[]): Block {
  return { index, timestamp: 1000 + index, transactions, validator: C, previous_hash: '', current_hash: String(index), signature: '' };
}

/** A chain of `blocks` behind the view: the recent ones in memory, the others in a fake store. */
function viewOf(blocks: Block[], recentFrom: number) {
  const index = new AddressIndex();
  for (const b of blocks) index.add(b);
  const chain = {
    addresses: index,
    tip: { block: blocks[blocks.length - 1]!, ledger: new Map() },
    history: { blockAt: (i: number) => (i >= recentFrom ? blocks[i] : undefined) },
  } as unknown as ChainFollower;
  const store = { blocksFrom: (i: number) => Promise.resolve(blocks[i] ? [JSON.stringify(blocks[i])] : []) } as unknown as ChainStore;
  return { index, view: new AddressViews(chain, {} as TxPool, store, (a) => (a === A ? 0 : a === B ? 1 : null)) };
}

describe('AddressIndex', () => {
  it('lists each block once per address, and forgets the blocks a better branch replaces', () => {
    const index = new AddressIndex();
    index.add(block(1, [tx(A, B), tx(B, A)]));
    index.add(block(2, [tx(C, B, 'coins')]));
    index.add(block(3, [tx(A, C)]));
    expect(index.blocks(A)).toEqual([1, 3]);
    expect(index.blocks(B)).toEqual([1, 2]);
    index.truncateAbove(1);
    expect(index.blocks(A)).toEqual([1]);
    expect(index.blocks(C)).toEqual([]);
  });
});

describe('AddressViews.transactions', () => {
  // Made when the tests are collected: the messages are m1 … m6 in chain order.
  const blocks = [
    block(0, []),
    block(1, [tx(A, B), tx(C, A, 'coins')]),
    block(2, [tx(B, A)]),
    block(3, [tx(A, C)]),
    block(4, [tx(B, A), tx(A, B)]),
  ];
  const { view } = viewOf(blocks, 3);
  const ids = (list: { message: string }[]) => list.map((t) => t.message);

  it('gives every transaction of the address newest first, from memory and from the store', async () => {
    const all = await view.transactions(A, { limit: 100 });
    expect(ids(all)).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1']);
    expect(all[0]).toMatchObject({ block: 4, timestamp: 1004, sender_id: 0, receiver_id: 1 });
  });

  it('filters a conversation (both directions), an inbox, a type; pages with before and limit', async () => {
    expect(ids(await view.transactions(A, { limit: 100, type: 'message', with: B }))).toEqual(['m6', 'm5', 'm3', 'm1']);
    expect(ids(await view.transactions(A, { limit: 100, type: 'message', direction: 'in' }))).toEqual(['m5', 'm3']);
    expect(ids(await view.transactions(A, { limit: 100, direction: 'out' }))).toEqual(['m6', 'm4', 'm1']);
    expect(ids(await view.transactions(A, { limit: 100, type: 'coins' }))).toEqual(['m2']);
    expect(ids(await view.transactions(A, { limit: 2 }))).toEqual(['m6', 'm5']);
    expect(ids(await view.transactions(A, { limit: 100, before: readCursor('3') }))).toEqual(['m3', 'm2', 'm1']);
    expect(ids(await view.transactions(A, { limit: 100, before: readCursor('4.1') }))).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
    expect((await view.transactions(A, { limit: 100 })).map((t) => cursorAfter(t))).toEqual(['4.1', '4.0', '3.0', '2.0', '1.1', '1.0']);
  });

  it('pages of every size, each from the cursor after the last item of the one before, hold every transaction once', async () => {
    // blocks 1 and 4 hold two of A's transactions each: pages of 1 or 3 end inside them
    const all = ids(await view.transactions(A, { limit: 100 }));
    expect(all).toHaveLength(6);
    for (let limit = 1; limit <= 7; limit++) {
      const seen: string[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await view.transactions(A, { limit, before: readCursor(before) });
        seen.push(...ids(page));
        if (page.length < limit) break;
        before = cursorAfter(page[page.length - 1]!);
      }
      expect(seen, `pages of ${limit}`).toEqual(all);
    }
  });
});
