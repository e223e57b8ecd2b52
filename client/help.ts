/**
 * The CLI's commands, declared once: the `help` command, `blockchat cli --help` and the
 * interactive prompt's completion of command names all read this table.
 */

export interface CommandHelp {
  /** The word typed, e.g. `t`. */
  name: string;
  /** Other words for the same command. */
  aliases?: string[];
  usage: string;
  what: string;
  example?: string;
}

export const COMMANDS: readonly CommandHelp[] = [
  { name: 't', usage: 't <recipient> <amount>', what: 'send coins; the sender also pays a 3% fee', example: 't 3 9.5' },
  { name: 'm', usage: 'm <recipient> <message>', what: 'send a message; costs 1 BCC per character', example: 'm 2 hello world' },
  { name: 'stake', usage: 'stake <amount>', what: 'set the NEW TOTAL stake, not an addition (0 withdraws)', example: 'stake 20' },
  { name: 'view', usage: 'view [N]', what: 'block N and its transactions (default: the last block)', example: 'view 3' },
  { name: 'balance', usage: 'balance', what: 'available balance, stake, total and nonce' },
  { name: 'inbox', usage: 'inbox', what: 'messages received, newest first' },
  {
    name: 'tx',
    usage: 'tx <id>',
    what: 'pending → committed → final, or dropped',
    example: 'tx 4877f65d (8+ hex)',
  },
  { name: 'history', usage: 'history [N]', what: 'the last N sent and received (default 20)', example: 'history 5' },
  { name: 'whoami', aliases: ['address'], usage: 'whoami', what: "this node's id, full address and URL" },
  { name: 'help', aliases: ['?'], usage: 'help', what: 'this list' },
  { name: 'exit', aliases: ['quit'], usage: 'exit', what: 'leave (Ctrl-D and Ctrl-C too)' },
];

/** Every word that names a command, aliases included, in table order. */
export const COMMAND_WORDS: readonly string[] = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]).filter((w) => w !== '?');

const usageWidth = Math.max(...COMMANDS.map((c) => c.usage.length));
const whatWidth = Math.max(...COMMANDS.map((c) => c.what.length));

function row(c: CommandHelp): string {
  const usage = c.usage.padEnd(usageWidth);
  return `  ${usage}  ${c.example ? `${c.what.padEnd(whatWidth)}  e.g. ${c.example}` : c.what}`;
}

export const HELP = [
  'commands (amounts in BCC with up to 2 decimals; a recipient is a node id, id<k>, or an address):',
  ...COMMANDS.map(row),
].join('\n');

/** The end of `blockchat cli --help`: the commands and the forms of the command line. */
export const CLI_EPILOGUE = [
  HELP,
  '',
  'Without a command the CLI is a prompt (history with the arrow keys, Tab completes commands and',
  'node ids); piped lines run one by one. With a command after -- it runs that one and exits 1 on',
  'failure; --json prints one JSON object ({"error": {"code", "message"}} on failure).',
].join('\n');
