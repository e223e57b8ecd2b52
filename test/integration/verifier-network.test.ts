/**
 * A real network's nodes use the signature suite they chose as they started: they report it with
 * noble's fingerprint, and a frequent sender's transactions are verified through a key table,
 * which only the node's injected suite makes (the core's default, noble, has none).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableSuites } from '../../src/crypto/select.js';
import { NOBLE_FINGERPRINT } from '../../src/crypto/vectors.js';
import { launch, waitCommitted, type TestNetwork } from './harness.js';

let t: TestNetwork;
beforeAll(async () => {
  t = await launch(2, 5);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

/** The chosen suite: the fastest that loads here, under this environment (select.ts). */
const expected = availableSuites(process.env).suites[0]!.name;

/** A metric of a node's /metrics; its absence is a failure. */
async function metric(i: number, name: string): Promise<number> {
  const line = (await t.clients[i]!.metrics()).split('\n').find((l) => l.startsWith(name + ' '));
  if (line === undefined) throw new Error(`node ${i} has no metric ${name}`);
  return Number(line.slice(name.length + 1));
}

describe("the nodes' signature suite", () => {
  it('is the one the environment selects, reported with the fingerprint of noble', async () => {
    const statuses = await Promise.all(t.clients.map((c) => c.status()));
    expect(statuses).toHaveLength(2);
    for (const s of statuses) {
      expect(s.verifier).toBe(expected);
      expect(s.verifier_fingerprint).toBe(NOBLE_FINGERPRINT);
    }
  });

  it("verifies a frequent sender's transactions through a key table, where it has them", async () => {
    const results = await t.clients[0]!.submitBatch(Array.from({ length: 24 }, () => ({ type: 'coins' as const, to: 1, amount: 1 })));
    const ids = results.map((r) => (r && 'id' in r ? r.id : ''));
    expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    await waitCommitted(t.clients, ids);
    // Node 0 is node 1's most frequent sender: its table may already be made while the network
    // forms (its funding transfers), on a slow machine before this test reads any count.
    const made = await metric(1, 'blockchat_key_tables_made_total');
    if (expected.endsWith('with key tables')) expect(made).toBeGreaterThan(0);
    else expect(made).toBe(0);
  });
});
