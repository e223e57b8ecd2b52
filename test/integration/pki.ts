/**
 * A private CA made with openssl for the TLS tests (tls.test.ts, network-tls.test.ts,
 * separate-hosts-tls.test.ts): a CA certificate, and node certificates it signs whose subject
 * alternative names are the IP addresses the nodes give their peers.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface NodeCert {
  /** PEM certificate file. */
  cert: string;
  /** PEM private key file. */
  key: string;
  /** PEM CA certificate file that signed it. */
  ca: string;
}

/** A CA in `dir` (ca.pem, ca.key), valid one day. Returns the path of ca.pem. */
export function makeCa(dir: string): string {
  const ca = join(dir, 'ca.pem');
  openssl('req', '-x509', ...EC, '-days', '1', '-subj', '/CN=blockchat test CA', '-keyout', join(dir, 'ca.key'), '-out', ca);
  return ca;
}

/** A certificate `name`.pem / `name`.key in `dir`, signed by the CA of makeCa(dir), for the IP addresses `ips`. */
export function makeNodeCert(dir: string, name: string, ips: readonly string[]): NodeCert {
  const file = (ext: string) => join(dir, `${name}.${ext}`);
  openssl('req', ...EC, '-subj', `/CN=${ips[0] ?? name}`, '-keyout', file('key'), '-out', file('csr'));
  writeFileSync(file('ext'), `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}\n`);
  const ca = join(dir, 'ca.pem');
  openssl(
    'x509',
    '-req',
    '-in',
    file('csr'),
    '-CA',
    ca,
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('ext'),
    '-out',
    file('pem'),
  );
  return { cert: file('pem'), key: file('key'), ca };
}
