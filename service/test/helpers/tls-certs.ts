import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Throw-away certificates made with the `openssl` CLI (on PATH), for a TLS redis-server in tests: a self-signed CA and
 * a server certificate it signs for 127.0.0.1/localhost. Valid for 2 days; RSA 2048 (about 0.1 s each).
 */

export interface TestCa {
  certFile: string;
  keyFile: string;
  /** The CA certificate's PEM text (what a client passes as `tls.ca`). */
  pem: string;
}

export interface ServerCert {
  certFile: string;
  keyFile: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(err)}`);
  }
}

/** A self-signed CA named `name`, files `<name>-ca.crt` / `<name>-ca.key` in `dir`. */
export function makeCa(dir: string, name: string): TestCa {
  const certFile = path.join(dir, `${name}-ca.crt`);
  const keyFile = path.join(dir, `${name}-ca.key`);
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=jobscope test CA ${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir
  );
  return { certFile, keyFile, pem: fs.readFileSync(certFile, 'utf8') };
}

/** A server certificate for 127.0.0.1 and localhost signed by `ca`, files `<name>.crt` / `<name>.key` in `dir`. */
export function makeServerCert(dir: string, ca: TestCa, name = 'server'): ServerCert {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n'
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1'], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext], dir);
  return { certFile, keyFile };
}
