/**
 * The node's choice of cryptography suite, made once as it starts and passed to everything that
 * hashes, signs or verifies: the fastest that loads, unless the environment says otherwise
 * (BLOCKCHAT_NOBLE_ONLY=1: noble; BLOCKCHAT_NO_NATIVE=1: not this project's binding). Whatever
 * is chosen must answer the fixed checks of vectors.ts exactly as noble does, or the node does
 * not start.
 */
import { bundledCrypto, loadPackageAddon, nobleNodeCrypto } from './fallbacks.js';
import { keyTablesCrypto, bindingCrypto, loadBinding } from './native.js';
import type { NodeCrypto } from './suite.js';
import { runVectors } from './vectors.js';

export type { NodeCrypto } from './suite.js';

/** The variables the choice reads (the node passes process.env). */
export interface CryptoEnv {
  readonly BLOCKCHAT_NO_NATIVE?: string;
  readonly BLOCKCHAT_NOBLE_ONLY?: string;
}

export interface CryptoChoice {
  readonly crypto: NodeCrypto;
  /** Of the suite's answers to the checks of vectors.ts: reported in GET /status and to peers. */
  readonly fingerprint: string;
  /** What the node says as it starts: why it uses a slower suite than the fastest. */
  readonly notes: readonly string[];
}

/** A suite by name, made on demand: the checks run on one, the node uses another. */
export interface SuiteMaker {
  readonly name: string;
  make(): NodeCrypto;
}

const reason = (err: Error): string => err.message.split('\n')[0]!;
const FASTEST = 'libsecp256k1 (binding) with key tables';

/**
 * Every suite that loads here, fastest first (noble last), and why the others do not: what the
 * node chooses from, and what the tests check against noble.
 */
export function availableSuites(env: CryptoEnv): { suites: SuiteMaker[]; missing: string[] } {
  const suites: SuiteMaker[] = [];
  const missing: string[] = [];
  if (env.BLOCKCHAT_NOBLE_ONLY === '1') missing.push('BLOCKCHAT_NOBLE_ONLY=1: noble only');
  else {
    const binding = env.BLOCKCHAT_NO_NATIVE === '1' ? new Error('BLOCKCHAT_NO_NATIVE=1') : loadBinding();
    if (binding instanceof Error) {
      missing.push(`this project's libsecp256k1 binding is not loaded (${reason(binding)}); npm ci builds it, and says why not`);
    } else {
      suites.push({ name: FASTEST, make: () => keyTablesCrypto(binding) });
      suites.push({ name: 'libsecp256k1 (binding)', make: () => bindingCrypto(binding) });
    }
    const addon = loadPackageAddon();
    if (addon instanceof Error) missing.push(`the secp256k1 package's addon is not loaded (${reason(addon)})`);
    else suites.push({ name: 'libsecp256k1 (bundled)', make: () => bundledCrypto(addon) });
  }
  suites.push({ name: 'noble', make: nobleNodeCrypto });
  return { suites, missing };
}

/** The node's suite: the fastest available, checked against noble. */
export function selectCrypto(env: CryptoEnv): CryptoChoice {
  const { suites, missing } = availableSuites(env);
  const chosen = suites[0]!;
  return checkedCrypto(chosen, chosen.name === FASTEST ? [] : missing);
}

/**
 * Checks a fresh suite of `maker` against noble on the fixed checks, and returns another (the
 * checks leave key tables behind); throws, naming the checks, if it answers any differently.
 */
export function checkedCrypto(maker: SuiteMaker, notes: readonly string[] = []): CryptoChoice {
  const report = runVectors(maker.make());
  const wrong = report.disagreements;
  if (wrong.length > 0) {
    const shown = wrong.slice(0, 5).map((d) => `  ${d.label}: ${d.answer}, noble ${d.noble}`);
    throw new Error(
      [
        `the signature suite "${maker.name}" answers ${wrong.length} of ${report.checks} fixed checks differently from noble, the reference; refusing to start:`,
        ...shown,
        ...(wrong.length > shown.length ? [`  … and ${wrong.length - shown.length} more`] : []),
        'A node with it would disagree with the network on which transactions are valid.',
        'Rebuild the binding (npm ci), or start with BLOCKCHAT_NO_NATIVE=1 (or BLOCKCHAT_NOBLE_ONLY=1).',
      ].join('\n'),
    );
  }
  return { crypto: maker.make(), fingerprint: report.fingerprint, notes };
}
