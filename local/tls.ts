/**
 * The local stack's TLS certificate: self-signed for localhost, generated once with a pure-JS
 * library (`selfsigned`, no binary, no download) under `.carestack/tls/` and reused, so a person
 * trusts it once. Amplify always connects to `wss://<GraphqlUrl host>/.../realtime`.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface LocalCertificate {
  key: string;
  cert: string;
  /** Where the certificate is, to trust it (or to give Node as NODE_EXTRA_CA_CERTS). */
  certPath: string;
}

const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

export async function ensureLocalCertificate(dataDir: string): Promise<LocalCertificate> {
  const dir = path.join(dataDir, 'tls');
  const keyPath = path.join(dir, 'localhost-key.pem');
  const certPath = path.join(dir, 'localhost-cert.pem');
  try {
    const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    if (Date.parse(new X509Certificate(cert).validTo) - Date.now() > RENEW_BEFORE_MS) return { key, cert, certPath };
  } catch {
    // none yet (or unreadable): make one
  }
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    days: 365,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  } as never);
  await mkdir(dir, { recursive: true });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert);
  return { key: pems.private, cert: pems.cert, certPath };
}

/** How to trust the certificate, for the console. */
export function trustHint(certPath: string): string[] {
  return [
    `  TLS             self-signed certificate ${certPath}`,
    `                  trust it once: macOS  security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db ${certPath}`,
    `                                 Linux  sudo cp ${certPath} /usr/local/share/ca-certificates/carestack-localhost.crt && sudo update-ca-certificates`,
    `                                 Node   NODE_EXTRA_CA_CERTS=${certPath}`,
  ];
}
