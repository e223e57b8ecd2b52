/**
 * The node's wallet key and API token, kept in its data directory with mode 0600 (SPEC B,
 * "Durability" and "Security"). Key generation is the one place randomness enters.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as secp from '@noble/secp256k1';
import { addressOf, bytesToHex, isHex } from '../../core/crypto.js';
import { TOKEN_FILE } from '../../api/token.js';
import { ensurePrivateDir, tightenPrivateFile, writePrivateFile } from '../private-files.js';

export const KEY_FILE = 'wallet.key';

export interface WalletKey {
  readonly secretKey: string;
  readonly address: string;
}

function readOrCreate(path: string, create: () => string, valid: (s: string) => boolean, what: string): string {
  if (existsSync(path)) {
    tightenPrivateFile(path);
    const text = readFileSync(path, 'utf8').trim();
    if (!valid(text)) throw new Error(`${path} does not hold a valid ${what}; restore it from a backup or remove the data directory`);
    return text;
  }
  const value = create();
  writePrivateFile(path, value + '\n');
  return value;
}

/** Loads the wallet of `dataDir`, creating a new key on first start. */
export function loadWallet(dataDir: string): WalletKey {
  ensurePrivateDir(dataDir);
  const secretKey = readOrCreate(
    join(dataDir, KEY_FILE),
    () => bytesToHex(secp.utils.randomSecretKey()),
    (s) => isHex(s, 32),
    'secp256k1 secret key',
  );
  return { secretKey, address: addressOf(secretKey) };
}

/** Loads the API token of `dataDir`, creating one on first start. */
export function loadToken(dataDir: string): string {
  return readOrCreate(
    join(dataDir, TOKEN_FILE),
    () => randomBytes(32).toString('hex'),
    (s) => isHex(s, 32),
    'API token',
  );
}
