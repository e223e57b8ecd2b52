/**
 * Where `blockchat node` takes its options from besides the command line: a JSON file
 * (`--config node.json`, keys are the long flag names) and `BLOCKCHAT_*` environment variables
 * (the flag's name in capitals, dashes as underscores). A flag given on the command line wins over
 * the environment, which wins over the file. Values are checked exactly as the flags' are.
 */
import { readFileSync } from 'node:fs';

/** Every option of `blockchat node` that a file or the environment may set, and its kind. */
export const NODE_SETTINGS = {
  port: 'string',
  n: 'string',
  capacity: 'string',
  bootstrap: 'boolean',
  host: 'string',
  'bootstrap-url': 'string',
  stake: 'string',
  'data-dir': 'string',
  'block-timeout': 'string',
  'client-rate': 'string',
  'sender-rate': 'string',
  'page-readers': 'string',
  quiet: 'boolean',
  'log-level': 'string',
  'log-format': 'string',
  'tls-cert': 'string',
  'tls-key': 'string',
  'tls-ca': 'string',
} as const;

export type NodeSettingName = keyof typeof NODE_SETTINGS;
const NAMES = Object.keys(NODE_SETTINGS) as NodeSettingName[];

/** `data-dir` → `BLOCKCHAT_DATA_DIR`. */
export function envName(name: NodeSettingName): string {
  return `BLOCKCHAT_${name.toUpperCase().replace(/-/g, '_')}`;
}

function fail(message: string): never {
  throw new Error(`blockchat node: ${message}`);
}

function asBoolean(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0' || value === '') return false;
  return fail(`${where} must be true or false, not ${JSON.stringify(value)}`);
}

/** The node options set by `BLOCKCHAT_*` variables. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const name of NAMES) {
    const value = env[envName(name)];
    if (value === undefined) continue;
    out[name] = NODE_SETTINGS[name] === 'boolean' ? asBoolean(value, envName(name)) : value;
  }
  return out;
}

/** The node options of a JSON file; an unknown key or a value of the wrong kind is refused. */
export function settingsFromFile(path: string): Record<string, string | boolean> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail(`cannot read the config file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(`${path} must hold one JSON object`);
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(NAMES as string[]).includes(key)) fail(`${path}: unknown option "${key}" (the options are ${NAMES.join(', ')})`);
    const kind = NODE_SETTINGS[key as NodeSettingName];
    if (kind === 'boolean') out[key] = asBoolean(value, `${path}: "${key}"`);
    else if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
    else fail(`${path}: "${key}" must be a string or a number`);
  }
  return out;
}

/** The settings of the file with the environment's over them (the flags win over both, in yargs). */
export function nodeSettings(path: string | undefined, env: NodeJS.ProcessEnv): Record<string, string | boolean> {
  return { ...(path === undefined ? {} : settingsFromFile(path)), ...settingsFromEnv(env) };
}

/** The environment without the node settings, for the nodes a launcher starts with flags of its own. */
export function withoutNodeSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of NAMES) delete out[envName(name)];
  return out;
}
