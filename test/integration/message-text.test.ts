/**
 * Message text that is easy to mangle (docs/protocol.md, "Form": 1 BCC per Unicode code point,
 * well-formed text only): control characters, astral characters, joiners and combining marks on
 * a real network; lone surrogates are refused, since no UTF-8 JSON reader outside JavaScript can
 * recompute the id of a text that holds one.
 *
 * Each accepted message costs its sender exactly 1 BCC per code point, lands in the chain and the
 * receiver's inbox as sent, is in the receiver's LevelDB as the chain it served, and after that
 * node is killed (SIGKILL) and restarts from its data directory, rebuilding from its stored
 * chain, GET /blocks and GET /wallet/inbox answer the same bytes as before.
 */
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BLOCKS_PER_PAGE } from '../../src/api/routes.js';
import { readToken } from '../../src/api/token.js';
import type { Block, InboxEntry } from '../../src/api/types.js';
import { totalSupply, UNITS_PER_BCC } from '../../src/core/params.js';
import { ChainStore } from '../../src/node/db/store.js';
import { launch, raw, supply, waitAgreement, waitCommitted, type TestNetwork } from './harness.js';

const N = 3;
/** The sender stakes nothing, so it never validates a block and never earns back a charge. */
const SENDER = 2;
const RECEIVER = 1;
let t: TestNetwork;

beforeAll(async () => {
  t = await launch(N, 5, { stakesBcc: [10, 10, 0] });
}, 90_000);

afterAll(async () => {
  await t?.stop();
});

/** [what, text, code points counted by hand] */
const CASES: ReadonlyArray<readonly [string, string, number]> = [
  ['NUL', '\u0000', 1],
  ['an ANSI colour escape', '\u001b[31mred\u001b[0m', 12],
  ['CR LF', '\r\n', 2],
  ['DEL, NEL and the line and paragraph separators', '\u007f\u0085\u2028\u2029', 4],
  ['astral characters', '😀𝄞', 2],
  ['the highest code point', '\uDBFF\uDFFF', 1],
  ['a family joined by zero-width joiners', '👩\u200D👩\u200D👧', 5],
  ['combining marks', 'e\u0301 Z\u0351\u0352', 6],
  ['a byte-order mark and a no-break space', '\uFEFF\u00A0', 2],
];

/** The exact bytes of a GET answer. */
async function bytes(port: number, path: string): Promise<Buffer> {
  const res = await request(`http://127.0.0.1:${port}${path}`);
  const body = Buffer.from(await res.body.arrayBuffer());
  expect(res.statusCode, body.toString()).toBe(200);
  return body;
}

/** 'same', or where two answers first differ (a short window of each, not whole chains). */
function compare(actual: Buffer, expected: Buffer): string {
  if (actual.equals(expected)) return 'same';
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 40), i + 40).toString('utf8'));
  return `differ from byte ${i} (${actual.length} vs ${expected.length} bytes): ${around(actual)} vs ${around(expected)}`;
}

const BLOCKS = `/blocks?from=0&limit=${MAX_BLOCKS_PER_PAGE}`;
const INBOX = '/wallet/inbox';

describe('message text through the chain, the store and a restart', () => {
  it('refuses lone surrogates as MALFORMED, and counts the 1024-character limit in code points', async () => {
    const port = t.ports[SENDER]!;
    const token = { authorization: `Bearer ${readToken(port, join(t.dataRoot, `node-${SENDER}`))}` };
    const before = await t.clients[SENDER]!.wallet();
    for (const lone of ['\uD800', 'a\uDC00b', '\uDC00\uD800', 'end\uDBFF']) {
      const refused = await raw(port, 'POST', '/wallet/transactions', { type: 'message', to: RECEIVER, message: lone }, token);
      expect(refused.status, JSON.stringify(lone)).toBe(400);
      expect(refused.body.code, JSON.stringify(lone)).toBe('MALFORMED');
    }
    const tooLong = await raw(port, 'POST', '/wallet/transactions', { type: 'message', to: RECEIVER, message: 'a'.repeat(1025) }, token);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('MALFORMED');
    // 1024 astral characters (2048 UTF-16 units) is a well-formed message of 1024 BCC, more than
    // the sender's 1000 BCC: it passes the form check and fails on funds.
    const tooDear = await raw(port, 'POST', '/wallet/transactions', { type: 'message', to: RECEIVER, message: '😀'.repeat(1024) }, token);
    expect(tooDear.status).toBe(422);
    expect(tooDear.body.code).toBe('INSUFFICIENT_FUNDS');
    expect(await t.clients[SENDER]!.wallet()).toEqual(before);
  });

  it('charges 1 BCC per code point and keeps every text exact through the store and a SIGKILL restart', async () => {
    const sender = t.clients[SENDER]!;
    const before = await sender.wallet();
    expect(before.stake).toBe(0);

    const ids: string[] = [];
    for (const [, message] of CASES) ids.push((await sender.submit({ type: 'message', to: RECEIVER, message })).id);
    expect(new Set(ids).size).toBe(CASES.length);
    await waitCommitted(t.clients, ids);
    await waitAgreement(t.clients);

    // The charge: exactly 1 BCC per code point, all of it (the sender validated nothing).
    const after = await sender.wallet();
    const chars = CASES.reduce((sum, [, , n]) => sum + n, 0);
    expect(before.balance - after.balance).toBe(chars * UNITS_PER_BCC);
    expect(after.nonce).toBe(before.nonce + CASES.length);
    const views = await Promise.all(t.clients.map((c) => c.accounts()));
    for (const v of views) expect(supply(v)).toBe(totalSupply(N));

    // The chain: the same bytes on every node, each message exactly as sent.
    const chainText = await Promise.all(t.ports.map((p) => bytes(p, BLOCKS)));
    for (const text of chainText) expect(compare(text, chainText[0]!)).toBe('same');
    const chain = JSON.parse(chainText[0]!.toString('utf8')) as Block[];
    expect(chain.length).toBeLessThan(MAX_BLOCKS_PER_PAGE);
    const txs = new Map(chain.flatMap((b) => b.transactions).map((tx) => [tx.id, tx]));
    CASES.forEach(([what, message], k) => {
      expect(txs.get(ids[k]!)?.message, what).toBe(message);
      expect(chainText[0]!.includes(`"message":${JSON.stringify(message)}`), what).toBe(true);
    });

    // The receiver's inbox: newest first, each message exactly as sent.
    const inboxText = await bytes(t.ports[RECEIVER]!, INBOX);
    const inbox = JSON.parse(inboxText.toString('utf8')) as InboxEntry[];
    expect(inbox.slice(0, CASES.length).map((e) => [e.id, e.message, e.from_id])).toEqual(
      CASES.map(([, message], k) => [ids[k], message, SENDER]).reverse(),
    );

    // Kill the receiver; its LevelDB holds the chain it served, block for block.
    await t.net.stopNode(RECEIVER, true);
    const store = new ChainStore(join(t.dataRoot, `node-${RECEIVER}`, 'chain'));
    await store.open();
    const stored: string[] = [];
    try {
      for await (const json of store.allBlocks()) stored.push(json);
    } finally {
      await store.close();
    }
    expect(compare(Buffer.from(`[${stored.join(',')}]`, 'utf8'), chainText[0]!)).toBe('same');

    // Restarted from its data directory, it rebuilds the same chain and inbox from its store.
    await t.net.restartNode(RECEIVER);
    t.clients[RECEIVER] = t.client(RECEIVER);
    await waitAgreement(t.clients);
    const chainAfter = await bytes(t.ports[RECEIVER]!, BLOCKS);
    expect(compare(chainAfter, chainText[0]!)).toBe('same');
    const inboxAfter = await bytes(t.ports[RECEIVER]!, INBOX);
    expect(compare(inboxAfter, inboxText)).toBe('same');
  }, 60_000);
});
