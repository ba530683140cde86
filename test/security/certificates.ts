/**
 * Certificates made at test time with the `openssl` command: a CA, a server certificate for
 * 127.0.0.1 / localhost, a client certificate, and the same from a second CA the server does
 * not trust. Everything lives in a temporary directory removed by `dispose()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and its certificate, PEM. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

export interface TestPki {
  readonly ca: string;
  readonly server: KeyPair;
  /** A second server certificate (same names, new key): what a renewal installs. */
  readonly renewedServer: KeyPair;
  readonly client: KeyPair;
  /** Issued by another CA, which the server does not trust. */
  readonly strangerClient: KeyPair;
  dispose(): void;
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const makeCa = (name: string): void =>
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  const issue = (name: string, ca: string, cn: string, extensions: string): KeyPair => {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
    return { key: readFileSync(file(`${name}.key`), 'utf8'), cert: readFileSync(file(`${name}.crt`), 'utf8') };
  };
  const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
  const clientExt = 'extendedKeyUsage=clientAuth\n';
  makeCa('ca');
  makeCa('stranger-ca');
  const pki: TestPki = {
    ca: readFileSync(file('ca.crt'), 'utf8'),
    server: issue('server', 'ca', 'skiff test server', serverExt),
    renewedServer: issue('renewed', 'ca', 'skiff test server (renewed)', serverExt),
    client: issue('client', 'ca', 'billing-service', clientExt),
    strangerClient: issue('stranger', 'stranger-ca', 'billing-service', clientExt),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
}
