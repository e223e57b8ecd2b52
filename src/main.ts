/**
 * The `blockchat` command (SPEC part C): node | network | cli | tester | load | demo.
 * Single-dash long flags (`-capacity`, `-bootstrap`) work because short-option groups are off.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';

// Numbers after `--` stay strings: the CLI parses amounts itself ("1e3" must be refused, not read as 1000).
const parserConfiguration = { 'short-option-groups': false, 'camel-case-expansion': true, 'parse-positional-numbers': false } as const;

/** The options of a command that measures a network already running (tester, load). */
function withRunningNetwork<T>(y: Argv<T>) {
  return y
    .option('p', { alias: ['port'], type: 'number', default: 5000, describe: 'base port' })
    .option('n', { type: 'number', demandOption: true, describe: 'number of nodes' })
    .option('host', { type: 'string', default: '127.0.0.1' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' });
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('blockchat')
    .parserConfiguration(parserConfiguration)
    .command(
      'node',
      'run one node',
      (y) =>
        y
          .option('p', { alias: ['port'], type: 'number', describe: 'HTTP port' })
          .option('n', { type: 'number', describe: 'number of nodes in the network' })
          .option('capacity', { type: 'number', describe: 'transactions per block' })
          .option('bootstrap', { type: 'boolean', default: false, describe: 'this node is the bootstrap (id 0)' })
          .option('host', { type: 'string', default: '127.0.0.1', describe: 'host peers reach this node at' })
          .option('bootstrap-url', { type: 'string', default: 'http://127.0.0.1:5000', describe: 'the bootstrap node' })
          .option('stake', { type: 'string', describe: 'initial stake in BCC (default 10)' })
          .option('data-dir', { type: 'string', describe: 'keeps the wallet, token and chain; restart from it' })
          .option('block-timeout', { type: 'number', default: 500, describe: 'ms before a partial block (0 disables)' })
          .option('round-timeout', { type: 'number', describe: 'ms each lottery round\'s validator is waited for before the next round\'s may mint (default 2000, min 250)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'log warnings only' })
          .option('join-after', { type: 'number', hidden: true, describe: 'join once the bootstrap counts this many nodes' }),
      async (args) => {
        const { runNode } = await import('./node/cli-entry.js');
        await runNode(args);
      },
    )
    .command(
      'network',
      'start a local network, one process per node',
      (y) =>
        y
          .option('n', { type: 'number', demandOption: true, describe: 'number of nodes' })
          .option('capacity', { type: 'number', demandOption: true, describe: 'transactions per block' })
          .option('p', { alias: ['port'], type: 'number', default: 5000, describe: 'base port (bootstrap)' })
          .option('stake', { type: 'string', describe: 'initial stake of every node in BCC' })
          .option('stakes', { type: 'string', describe: 'per-node stakes in BCC, comma separated' })
          .option('data-dir', { type: 'string', describe: 'root of the nodes\' data directories' })
          .option('block-timeout', { type: 'number', default: 500, describe: 'ms before a partial block (0 disables)' })
          .option('round-timeout', { type: 'number', describe: 'ms each lottery round\'s validator is waited for (default 2000, min 250)' }),
      async (args) => {
        const { runNetworkCommand } = await import('../scripts/network.js');
        await runNetworkCommand(args);
      },
    )
    .command(
      'cli',
      'the interactive client of one node',
      (y) =>
        y
          .option('p', { alias: ['port'], type: 'number', demandOption: true, describe: 'the node\'s port' })
          .option('host', { type: 'string', default: '127.0.0.1' })
          .option('data-dir', { type: 'string', describe: 'the node\'s data directory (to read its token)' }),
      async (args) => {
        const { runCli } = await import('../client/cli.js');
        const rest = (args['--'] as unknown[] | undefined)?.map(String) ?? args._.slice(1).map(String);
        process.exitCode = await runCli({ port: args.p, host: args.host, dataDir: args.dataDir, command: rest });
      },
    )
    .command(
      'tester',
      'replay DIR/transX.txt through every node and report throughput',
      (y) =>
        withRunningNetwork(y).option('input', { type: 'string', demandOption: true, describe: 'directory of trans0.txt … transN-1.txt' }),
      async (args) => {
        const { runTesterCommand } = await import('../scripts/tester.js');
        process.exitCode = await runTesterCommand(args);
      },
    )
    .command(
      'load',
      'sustained load of small coin transfers over every wallet',
      (y) =>
        withRunningNetwork(y)
          .option('transactions', { type: 'number', demandOption: true, describe: 'how many to send' })
          .option('rate', { type: 'number', describe: 'offered load in tx/s (default: as fast as accepted)' }),
      async (args) => {
        const { runLoadCommand } = await import('../scripts/load.js');
        process.exitCode = await runLoadCommand(args);
      },
    )
    .command(
      'demo',
      'start a 5-node network, replay transactions/5nodes through it, print the results, stop',
      (y) =>
        y
          .option('n', { type: 'number', default: 5 })
          .option('capacity', { type: 'number', default: 10 })
          .option('p', { alias: ['port'], type: 'number', default: 5000 }),
      async (args) => {
        const { runDemo } = await import('../scripts/demo.js');
        process.exitCode = await runDemo(args);
      },
    )
    .demandCommand(1, 'name a command: node, network, cli, tester, load or demo')
    .strictCommands()
    // One line a user can act on, never a stack trace or the whole help text.
    .fail((msg, err) => {
      console.error(err ? err.message : `blockchat: ${msg} (see --help)`);
      process.exit(1);
    })
    .help()
    .parseAsync();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
