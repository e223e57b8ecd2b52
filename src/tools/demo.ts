/**
 * `blockchat demo [-n 5] [--capacity 10] [-p 5000]` (what `npm start` runs): starts a fresh local
 * network, replays the project's transactions/{n}nodes through it, prints the results and the
 * final balances, and stops the network.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { NodeClient, closeClients } from '../../client/api.js';
import { UNITS_PER_BCC } from '../core/params.js';
import { formatSummary } from './metrics.js';
import { freePortBase, startNetwork, type RunningNetwork } from './network.js';
import { repoRoot } from './network.js';
import { runTester } from './tester.js';

export interface DemoArgs {
  n: number;
  capacity: number;
  p: number;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function portsFree(base: number, count: number): Promise<boolean> {
  for (let i = 0; i < count; i++) if (!(await portFree(base + i))) return false;
  return true;
}

export async function runDemo(args: DemoArgs): Promise<number> {
  const { n, capacity } = args;
  let net: RunningNetwork | undefined;
  const onSignal = () => {
    process.stderr.write('\nstopping the network…\n');
    void (net ? net.stop() : Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const input = join(repoRoot(), 'transactions', `${n}nodes`);
    if (!existsSync(input)) throw new Error(`no replay inputs for ${n} nodes (${input}); the project ships 5nodes and 10nodes`);
    let base = args.p;
    if (!(await portsFree(base, n))) {
      const other = await freePortBase(n);
      console.log(`Ports ${base}…${base + n - 1} are busy; using ${other}…${other + n - 1}.`);
      base = other;
    }
    console.log(`Starting a ${n}-node network, capacity ${capacity}, on ports ${base}…${base + n - 1}…`);
    net = await startNetwork({ n, capacity, basePort: base, quiet: true });
    console.log(`Ready in ${(net.readyMs / 1000).toFixed(1)} s: every node has 1000 BCC and stakes 10 BCC.`);
    console.log(`Replaying ${relative(process.cwd(), input) || input} (each node sends its file's messages)…\n`);
    const result = await runTester({ input, basePort: base, n, progress: true });
    console.log(formatSummary(result.summary, 'Results'));

    const accounts = await NodeClient.forPort(base).accounts();
    console.log('\nFinal committed balances:');
    for (const a of accounts.filter((x) => x.id !== null).sort((x, y) => (x.id ?? 0) - (y.id ?? 0))) {
      const bcc = (u: number) => (u / UNITS_PER_BCC).toFixed(2);
      console.log(`  node ${a.id}: ${bcc(a.balance).padStart(8)} BCC, stake ${bcc(a.stake)} BCC, ${a.nonce} sent`);
    }
    console.log(`\nTry it yourself: npx blockchat network -n ${n} -capacity ${capacity} -p ${args.p}, then npx blockchat cli -p ${args.p}`);
    return result.completed && result.summary.nodes_agree ? 0 : 1;
  } catch (err) {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (net) {
      console.log('Stopping the network.');
      await net.stop().catch(() => undefined);
    }
    await closeClients().catch(() => undefined);
  }
}
