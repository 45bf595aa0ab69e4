/**
 * The web quickstart's Vite config. It reads the stack's outputs (the keys `cdk deploy` prints) and
 * hands them to the app as `__CARESTACK_OUTPUTS__`: the local stack's `.carestack/outputs.json` at the
 * repository root (or under `$CARESTACK_DATA_DIR`), or the file `$CARESTACK_OUTPUTS` names, such as
 * the one `cdk deploy --all --outputs-file` writes. The dev and preview servers also serve the local
 * demo logins at `/demo-users.json` (never part of a build), so the sign-in screen can offer them.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultClientConditions, defineConfig, type Connect, type Plugin } from 'vite';

const dataDir = path.resolve(process.env.CARESTACK_DATA_DIR ?? path.join(import.meta.dirname, '../../.carestack'));
// A relative $CARESTACK_OUTPUTS is read from where npm was run (INIT_CWD), not from this folder.
const outputsFile = process.env.CARESTACK_OUTPUTS
  ? path.resolve(process.env.INIT_CWD ?? process.cwd(), process.env.CARESTACK_OUTPUTS)
  : path.join(dataDir, 'outputs.json');

export default defineConfig(async ({ command }) => {
  if (!existsSync(outputsFile)) {
    throw new Error(
      process.env.CARESTACK_OUTPUTS
        ? `${outputsFile} (CARESTACK_OUTPUTS) is missing.`
        : `${outputsFile} is missing: start the local stack first (npm start, in another terminal), or set CARESTACK_DATA_DIR.`,
    );
  }
  const outputs = readOutputs(outputsFile);
  if (command === 'serve') await warnUnlessRunning(outputs);
  return {
    define: { __CARESTACK_OUTPUTS__: JSON.stringify(outputs) },
    // @carestack/client is a workspace package: take its TypeScript sources, so no build step
    // stands between `npm ci` and `npm run web` (clients/typescript/package.json, "carestack-source").
    resolve: { conditions: ['carestack-source', ...defaultClientConditions] },
    server: { host: 'localhost', port: Number(process.env.CARESTACK_WEB_PORT ?? 5173) },
    preview: { host: 'localhost', port: Number(process.env.CARESTACK_WEB_PORT ?? 4173) },
    build: { target: 'es2022', sourcemap: true },
    plugins: [demoUsers(), trustHint(outputs)],
  };
});

const REQUIRED_OUTPUTS = ['ApiUrl', 'GraphqlUrl', 'UserPoolId', 'UserPoolClientId', 'Region'] as const;
type Outputs = Record<(typeof REQUIRED_OUTPUTS)[number], string> & Record<string, string>;

/**
 * The outputs as one flat object: the local stack writes them so, and `cdk deploy --outputs-file`
 * nests them under each stack's name (`{ "CareStackApi": { "ApiUrl": ... }, "CareStackStateless": ... }`).
 */
export function readOutputs(file: string): Outputs {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') flat[key] = value;
    else if (value && typeof value === 'object') Object.assign(flat, value);
  }
  const missing = REQUIRED_OUTPUTS.filter((key) => typeof flat[key] !== 'string');
  if (missing.length > 0) throw new Error(`${file} lacks ${missing.join(', ')}: is it the stack's outputs?`);
  return flat as Outputs;
}

/** `GET /demo-users.json` on the dev and preview servers only: the local stack's demo logins. */
function demoUsers(): Plugin {
  const serve: Connect.NextHandleFunction = (req, res, next) => {
    const file = path.join(dataDir, 'demo-users.json');
    if (req.url !== '/demo-users.json' || !existsSync(file)) return next();
    res.setHeader('content-type', 'application/json');
    res.end(readFileSync(file));
  };
  return {
    name: 'carestack-demo-users',
    configureServer: (server) => void server.middlewares.use(serve),
    configurePreviewServer: (server) => void server.middlewares.use(serve),
  };
}

/**
 * After Vite's own URLs: how to open a browser that trusts the stack's self-signed certificate (the
 * app reaches GraphqlUrl over https and wss), and nothing else: Chromium's SPKI allow-list.
 */
function trustHint(outputs: { GraphqlUrl: string }): Plugin {
  const certFile = path.join(dataDir, 'tls/localhost-cert.pem');
  return {
    name: 'carestack-trust-hint',
    configureServer(server) {
      if (!outputs.GraphqlUrl.startsWith('https:') || !existsSync(certFile)) return;
      const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
      const hash = createHash('sha256').update(spki).digest('base64');
      const printUrls = server.printUrls.bind(server);
      server.printUrls = () => {
        printUrls();
        const url = server.resolvedUrls?.local[0] ?? '';
        server.config.logger.info(
          [
            '',
            `  GraphQL and realtime are served at ${outputs.GraphqlUrl} with the local stack's self-signed certificate.`,
            '  Open the app in a Chromium or Chrome that trusts that certificate and no other:',
            `    chromium --user-data-dir=$HOME/.carestack-browser --ignore-certificate-errors-spki-list=${hash} ${url}`,
            '  (google-chrome takes the same flags; README, "Trust the local certificate", has the other ways.)',
            '',
          ].join('\n'),
        );
      };
    },
  };
}

async function warnUnlessRunning(outputs: { ApiUrl: string }): Promise<void> {
  const up = await fetch(`${outputs.ApiUrl}/health`, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (!up) console.warn(`\n  The local stack does not answer at ${outputs.ApiUrl}: start it with \`npm start\` in another terminal.\n`);
}
