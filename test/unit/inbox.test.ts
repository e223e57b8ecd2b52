/** The node's inbox (GET /wallet/inbox): newest first, paged back by cursor, reverted with its blocks. */
import { describe, expect, it } from 'vitest';
import type { Block, Transaction } from '../../src/core/types.js';
import { cursorAfter, readCursor } from '../../src/node/chain/cursor.js';
import { Inbox } from '../../src/node/chain/inbox.js';

const ME = 'a'.repeat(66);
const OTHER = 'b'.repeat(66);

let n = 0;
function tx(receiver: string, type: Transaction['type'] = 'message'): Transaction {
  n += 1;
  return { sender: OTHER, receiver, type, amount: 0, message: `m${n}`, nonce: n, id: String(n).padStart(64, '0'), signature: '' };
}

function block(index: number, transactions: Transaction[]): Block {
  return { index, timestamp: 1000 + index, transactions, validator: OTHER, previous_hash: '', current_hash: String(index), signature: '' };
}

describe('Inbox', () => {
  // m1 … m8 in chain order; m3 and m6 are not messages to this wallet
  const inbox = new Inbox(ME, (a) => (a === OTHER ? 1 : null));
  inbox.add(block(1, [tx(ME), tx(ME)]));
  inbox.add(block(2, [tx(OTHER), tx(ME)]));
  inbox.add(block(3, [tx(ME), tx(ME, 'coins'), tx(ME), tx(ME)]));
  const texts = (list: { message: string }[]) => list.map((e) => e.message);

  it('lists the messages to the wallet newest first, each with its block and place in it', () => {
    const all = inbox.latest(100);
    expect(texts(all)).toEqual(['m8', 'm7', 'm5', 'm4', 'm2', 'm1']);
    expect(all.map((e) => cursorAfter(e))).toEqual(['3.3', '3.2', '3.0', '2.1', '1.1', '1.0']);
    expect(all[0]).toMatchObject({ from: OTHER, from_id: 1, block: 3, timestamp: 1003 });
  });

  it('pages of every size, each from the cursor after the last item of the one before, hold every message once', () => {
    const all = texts(inbox.latest(100));
    for (let limit = 1; limit <= 7; limit++) {
      const seen: string[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = inbox.latest(limit, readCursor(before));
        seen.push(...texts(page));
        if (page.length < limit) break;
        before = cursorAfter(page[page.length - 1]!);
      }
      expect(seen, `pages of ${limit}`).toEqual(all);
    }
  });

  it('reads a bare block index as "blocks below it"', () => {
    expect(texts(inbox.latest(100, readCursor('3')))).toEqual(['m4', 'm2', 'm1']);
    expect(texts(inbox.latest(100, readCursor('0')))).toEqual([]);
  });

  it('forgets the messages of blocks a better branch replaces', () => {
    const other = new Inbox(ME, () => null);
    other.add(block(1, [tx(ME)]));
    other.add(block(2, [tx(ME)]));
    other.truncateAbove(1);
    expect(other.latest(100)).toHaveLength(1);
    expect(other.latest(100)[0]).toMatchObject({ block: 1, from_id: null });
  });
});
