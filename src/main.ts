/**
 * The `blockchat` command (SPEC part C): node | network | cli | tester | load | demo | version.
 * Single-dash long flags (`-capacity`, `-bootstrap`) work because short-option groups are off.
 * Unknown options and malformed numbers are refused with one line and exit code 1.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CLI_EPILOGUE } from '../client/help.js';
import { nodeSettings } from './node/settings.js';
import { lastPort, port, positive, whole } from './options.js';
import { VERSION } from './version.js';

// Values stay as typed: src/options.ts reads the numbers (so "abc" or "1e3" is refused, not read
// as NaN or 1000), and the CLI parses amounts itself.
const parserConfiguration = {
  'short-option-groups': false,
  'camel-case-expansion': true,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'populate--': true,
} as const;

/** The options of a command that measures a network already running (tester, load). */
function withRunningNetwork<T>(y: Argv<T>) {
  return y
    .option('p', { alias: ['port'], requiresArg: true, coerce: port('-p'), default: 5000, describe: 'base port' })
    .option('n', { requiresArg: true, coerce: whole('-n', 1), describe: 'number of nodes (on ports BASE … BASE+N-1)' })
    .option('host', { type: 'string', requiresArg: true, default: '127.0.0.1', describe: 'host of the nodes on consecutive ports' })
    .option('nodes', {
      type: 'string',
      requiresArg: true,
      describe: 'the nodes by URL, url,url,… or a file with one "URL [TOKEN_FILE]" a line (instead of -p/-n)',
    })
    .option('token-file', {
      type: 'string',
      requiresArg: true,
      describe: 'API token file: one for every node, or one per node, comma separated (else BLOCKCHAT_TOKEN)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .check((args) => {
      if (args.n === undefined && args.nodes === undefined) throw new Error('give the nodes: -n N (ports from -p) or --nodes url,url,…');
      return true;
    });
}

/** yargs's "Unknown arguments: jsn, x" as the user typed them: "unknown options: --jsn, -x". */
function dashed(message: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return message;
  const names = m[1]!.split(', ').map((a) => (a.length === 1 ? `-${a}` : `--${a}`));
  return `unknown option${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
}

/** The value of `--config` (or `-config`) on the command line, if given. */
function configPath(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?config(?:=(.*))?$/.exec(argv[i]!);
    if (m) return m[1] ?? argv[i + 1];
  }
  return undefined;
}

/** The timing flags a node takes, the same for `node` and for every node `network` starts. */
const TIMING_OPTIONS = {
  'block-timeout': {
    requiresArg: true,
    coerce: whole('--block-timeout', 0),
    default: 500,
    describe: 'ms before a partial block (0 disables)',
  },
} as const;

/** The TLS flags of a node, the same for `node` and for every node `network` starts. */
const TLS_OPTIONS = {
  'tls-cert': { type: 'string', requiresArg: true, describe: "serve HTTPS with this PEM certificate (peers' URLs are https)" },
  'tls-key': { type: 'string', requiresArg: true, describe: 'the PEM private key of --tls-cert' },
  'tls-ca': { type: 'string', requiresArg: true, describe: "PEM CA certificates the node trusts for its peers' HTTPS" },
} as const;

const commandNames = ['node', 'network', 'cli', 'wallet', 'tester', 'load', 'demo', 'version'];

async function main(): Promise<void> {
  const argv = hideBin(process.argv);
  const command = commandNames.find((c) => c === argv[0]);
  await yargs(argv)
    .scriptName('blockchat')
    .parserConfiguration(parserConfiguration)
    .usage('blockchat <command> [options]   (blockchat <command> --help for its options)')
    .command(
      'node',
      'run one node',
      (y) =>
        y
          .option('p', { alias: ['port'], requiresArg: true, coerce: port('-p'), describe: 'HTTP port' })
          .option('n', { requiresArg: true, coerce: whole('-n', 1), describe: 'number of nodes in the network' })
          .option('capacity', { requiresArg: true, coerce: whole('-capacity', 1), describe: 'transactions per block' })
          .option('bootstrap', { type: 'boolean', default: false, describe: 'this node is the bootstrap (id 0)' })
          .option('host', { type: 'string', requiresArg: true, default: '127.0.0.1', describe: 'host peers reach this node at' })
          .option('bootstrap-url', { type: 'string', requiresArg: true, default: 'http://127.0.0.1:5000', describe: 'the bootstrap node' })
          .option('stake', { type: 'string', requiresArg: true, describe: 'initial stake in BCC (default 10)' })
          .option('data-dir', { type: 'string', requiresArg: true, describe: 'keeps the wallet, token and chain; restart from it' })
          .options(TIMING_OPTIONS)
          .option('client-rate', {
            requiresArg: true,
            coerce: whole('--client-rate', 1),
            describe: 'POST /transactions requests per second per client address (3 s of it at once; default 20)',
          })
          .option('sender-rate', {
            requiresArg: true,
            coerce: whole('--sender-rate', 1),
            describe: 'transactions per second POST /transactions accepts per sender (4 s of it at once; default 5)',
          })
          .option('page-readers', {
            requiresArg: true,
            coerce: whole('--page-readers', 1),
            describe: 'public pages (GET /pool, /blocks, …) sent at once; one more gets 503 BUSY (default 16)',
          })
          .option('quiet', { type: 'boolean', default: false, describe: 'log warnings only (--log-level warn)' })
          .option('log-level', { type: 'string', requiresArg: true, describe: 'debug, info (default), warn or error' })
          .option('log-format', { type: 'string', requiresArg: true, describe: 'json (default unless on a terminal) or pretty' })
          .options(TLS_OPTIONS)
          .option('config', { type: 'string', requiresArg: true, describe: 'a JSON file of these options (flags and BLOCKCHAT_* win)' })
          // Flags win: yargs fills from this object only the options not given on the command line.
          .config(nodeSettings(configPath(argv), process.env))
          .option('join-after', {
            requiresArg: true,
            coerce: whole('--join-after', 1),
            hidden: true,
            describe: 'join once the bootstrap counts this many nodes',
          })
          .example('blockchat node -p 5000 -n 5 -capacity 5 -bootstrap', 'the bootstrap of a 5-node network')
          .example('blockchat node -p 5001', 'a node that joins the bootstrap at 127.0.0.1:5000'),
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
          .option('n', { requiresArg: true, coerce: whole('-n', 1), demandOption: true, describe: 'number of nodes' })
          .option('capacity', { requiresArg: true, coerce: whole('-capacity', 1), demandOption: true, describe: 'transactions per block' })
          .option('p', { alias: ['port'], requiresArg: true, coerce: port('-p'), default: 5000, describe: 'base port (bootstrap)' })
          .option('stake', { type: 'string', requiresArg: true, describe: 'initial stake of every node in BCC' })
          .option('stakes', { type: 'string', requiresArg: true, describe: 'per-node stakes in BCC, comma separated' })
          .option('data-dir', { type: 'string', requiresArg: true, describe: "root of the nodes' data directories (and of their logs)" })
          .option('host', {
            type: 'string',
            requiresArg: true,
            describe: 'the address every node binds and gives its peers (default 127.0.0.1)',
          })
          .option('log-dir', {
            type: 'string',
            requiresArg: true,
            describe: "write node i's log to DIR/node-i.log (default: the data root)",
          })
          .option('log-level', { type: 'string', requiresArg: true, describe: "the nodes' log level: debug, info, warn, error" })
          .options(TLS_OPTIONS)
          .options(TIMING_OPTIONS)
          .check((args) => lastPort(args.p, args.n) > 0)
          .example('blockchat network -n 5 -capacity 5', 'five nodes on ports 5000 to 5004'),
      async (args) => {
        const { runNetworkCommand } = await import('./tools/network.js');
        await runNetworkCommand(args);
      },
    )
    .command(
      'cli [command..]',
      'the client of one node: a prompt, or one command',
      (y) =>
        y
          .positional('command', { type: 'string', array: true, describe: 'one command to run (after --, so that "-5" is not an option)' })
          .option('p', { alias: ['port'], requiresArg: true, coerce: port('-p'), describe: "the node's port" })
          .option('host', { type: 'string', requiresArg: true, default: '127.0.0.1' })
          .option('url', {
            type: 'string',
            requiresArg: true,
            describe: "the node's URL, e.g. http://10.0.0.2:5000 (instead of -p/--host)",
          })
          .option('data-dir', { type: 'string', requiresArg: true, describe: "the node's data directory (to read its token)" })
          .option('token-file', {
            type: 'string',
            requiresArg: true,
            describe: "a file holding the node's API token (else BLOCKCHAT_TOKEN)",
          })
          .check((args) => {
            if (args.p === undefined && args.url === undefined) throw new Error('give the node: -p PORT (with --host) or --url URL');
            return true;
          })
          .option('json', { type: 'boolean', default: false, describe: 'print one JSON object per command' })
          .example('blockchat cli -p 5001', 'a prompt for the node on port 5001')
          .example('blockchat cli -p 5001 -- t 3 9.5', 'send 9.50 BCC to node 3, then exit')
          .example('blockchat cli -p 5001 --json -- balance', 'the wallet as one JSON object')
          .epilogue(CLI_EPILOGUE),
      async (args) => {
        const { runCli } = await import('../client/cli.js');
        const words = [...(args.command ?? []), ...((args['--'] as unknown[] | undefined) ?? [])].map(String);
        process.exitCode = await runCli({
          port: args.p,
          host: args.host,
          url: args.url,
          dataDir: args.dataDir,
          tokenFile: args.tokenFile,
          json: args.json,
          command: words,
        });
      },
    )
    .command(
      'wallet <action> [args..]',
      "a wallet that is no node's: the key stays in --key-file, transactions are signed here",
      (y) =>
        y
          .positional('action', { choices: ['new', 'address', 'balance', 'send', 'message', 'stake', 'inbox'] as const })
          .positional('args', { type: 'string', array: true, describe: 'recipient and amount, or recipient and message' })
          .option('key-file', {
            type: 'string',
            requiresArg: true,
            demandOption: true,
            describe: 'the secret key (wallet new makes it, mode 0600)',
          })
          .option('url', { type: 'string', requiresArg: true, describe: 'a node of the network, e.g. http://127.0.0.1:5000' })
          .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
          .example('blockchat wallet new --key-file me.key', 'make a key and print its address')
          .example('blockchat wallet send 3 2.5 --key-file me.key --url http://127.0.0.1:5001', 'send 2.50 BCC to node 3')
          .example('blockchat wallet inbox --key-file me.key --url http://127.0.0.1:5001', 'messages to this wallet'),
      async (args) => {
        const { runWallet } = await import('../client/wallet.js');
        const words = [...(args.args ?? []), ...((args['--'] as unknown[] | undefined) ?? [])].map(String);
        process.exitCode = await runWallet({ command: args.action!, args: words, keyFile: args.keyFile, url: args.url, json: args.json });
      },
    )
    .command(
      'tester',
      'replay DIR/transX.txt through every node and report throughput',
      (y) =>
        withRunningNetwork(y)
          .option('input', { type: 'string', requiresArg: true, demandOption: true, describe: 'directory of trans0.txt … transN-1.txt' })
          .example('blockchat tester -input transactions/5nodes -n 5', 'replay the 5-node inputs through ports 5000…5004'),
      async (args) => {
        const { runTesterCommand } = await import('./tools/tester.js');
        process.exitCode = await runTesterCommand(args);
      },
    )
    .command(
      'load',
      'sustained load of small coin transfers over every wallet',
      (y) =>
        withRunningNetwork(y)
          .option('transactions', {
            requiresArg: true,
            coerce: whole('--transactions', 1),
            demandOption: true,
            describe: 'how many to send',
          })
          .option('rate', {
            requiresArg: true,
            coerce: positive('--rate'),
            describe: 'offered load in tx/s (default: as fast as accepted)',
          })
          .example('blockchat load -n 5 --transactions 2000', '2,000 transfers over the network on ports 5000…5004'),
      async (args) => {
        const { runLoadCommand } = await import('./tools/load.js');
        process.exitCode = await runLoadCommand(args);
      },
    )
    .command(
      'demo',
      'start a 5-node network, replay transactions/5nodes through it, print the results, stop',
      (y) =>
        y
          .option('n', { requiresArg: true, coerce: whole('-n', 1), default: 5 })
          .option('capacity', { requiresArg: true, coerce: whole('-capacity', 1), default: 10 })
          .option('p', { alias: ['port'], requiresArg: true, coerce: port('-p'), default: 5000 })
          .check((args) => lastPort(args.p, args.n) > 0),
      async (args) => {
        const { runDemo } = await import('./tools/demo.js');
        process.exitCode = await runDemo(args);
      },
    )
    .command(
      'version',
      'print the version of blockchat',
      (y) => y.option('json', { type: 'boolean', default: false, describe: 'print {"version": …}' }),
      (args) => {
        console.log(args.json ? JSON.stringify({ version: VERSION }) : `blockchat ${VERSION}`);
      },
    )
    .demandCommand(1, `name a command: ${commandNames.join(', ')}`)
    .strict()
    // One line a user can act on, never a stack trace or the whole help text.
    .fail((msg, err) => {
      const name = command ? `blockchat ${command}` : 'blockchat';
      if (err && err.message.startsWith('blockchat')) console.error(err.message);
      else if (!command && argv[0] !== undefined && !argv[0].startsWith('-'))
        console.error(`blockchat: unknown command '${argv[0]}' (see blockchat --help)`);
      else console.error(`${name}: ${dashed(err ? err.message : msg)} (see ${name} --help)`);
      process.exit(1);
    })
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .parseAsync();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
