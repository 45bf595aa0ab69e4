/**
 * The API playground of the local stack (local only: it is a LOCAL_ROUTES entry, so the CDK app
 * never has it). On the API's own origin:
 *
 * - `/docs`: Swagger UI (from the pinned npm package `swagger-ui-dist`, served from node_modules,
 *   no CDN) on the generated OpenAPI document, with a sign-in form for the demo users that
 *   authorises Swagger UI with the user's Cognito ID token;
 * - `/docs/openapi.json`: the document generated from the route table at start, `servers` = this API;
 * - `/docs/realtime`: a plain-JS page speaking AppSync's realtime protocol to the realtime endpoint;
 * - `/docs/graphql`: GraphiQL (the pinned npm packages `graphiql`, `react`, `react-dom`, their
 *   browser builds served from node_modules, no CDN) on GraphqlUrl, with the same demo sign-in;
 * - `/docs/config.json`: the outputs and demo logins the pages need.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDocs, openApiForServer, stableJson } from '../../scripts/docs/generate.js';
import type { LocalDeps, LocalRoute } from '../deps.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);
const SWAGGER_DIR = path.dirname(requireHere.resolve('swagger-ui-dist/package.json'));
const packageDir = (name: string) => path.dirname(requireHere.resolve(`${name}/package.json`));

/** GraphiQL's page: the browser builds of GraphiQL and React, by file name (nothing else is served). */
const VENDOR_FILES: Record<string, { file: () => string; type: string }> = {
  'graphiql.min.js': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
  'graphiql.min.css': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  'react.production.min.js': { file: () => path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { file: () => path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' },
};

/** What the pages may load, and nothing else (no path from the URL reaches the file system). */
const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const OWN_FILES: Record<string, string> = {
  'playground.css': 'text/css; charset=utf-8',
  'sign-in.js': 'text/javascript; charset=utf-8',
  'swagger.js': 'text/javascript; charset=utf-8',
  'realtime.js': 'text/javascript; charset=utf-8',
  'graphiql-page.js': 'text/javascript; charset=utf-8',
};
const PAGES: Record<string, string> = { '/docs': 'index.html', '/docs/': 'index.html', '/docs/realtime': 'realtime.html', '/docs/graphql': 'graphiql.html' };

export function playgroundRoute(deps: Pick<LocalDeps, 'apiUrl' | 'dataDir'>): LocalRoute {
  // Generated once, on first use: the route table does not change while the stack runs.
  let docs: ReturnType<typeof generateDocs> | undefined;

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname !== '/docs' && !url.pathname.startsWith('/docs/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;

    const page = PAGES[url.pathname];
    if (page) return send(req, res, 200, 'text/html; charset=utf-8', await readFile(path.join(HERE, page)));
    if (url.pathname === '/docs/openapi.json') {
      docs ??= generateDocs();
      return send(req, res, 200, 'application/json', stableJson(openApiForServer((await docs).api, deps.apiUrl())));
    }
    if (url.pathname === '/docs/config.json') return send(req, res, 200, 'application/json', JSON.stringify(await config(deps.dataDir)));
    const vendor = /^\/docs\/assets\/vendor\/([A-Za-z0-9.-]+)$/.exec(url.pathname);
    const known = vendor && Object.hasOwn(VENDOR_FILES, vendor[1]!) ? VENDOR_FILES[vendor[1]!] : undefined;
    if (known) return send(req, res, 200, known.type, await readFile(known.file()), 'public, max-age=300');
    const asset = /^\/docs\/assets\/(swagger-ui\/)?([A-Za-z0-9.-]+)$/.exec(url.pathname);
    if (asset) {
      const [, swagger, file] = asset;
      const type = swagger ? SWAGGER_FILES[file!] : OWN_FILES[file!];
      if (type) return send(req, res, 200, type, await readFile(path.join(swagger ? SWAGGER_DIR : HERE, file!)), 'public, max-age=300');
    }
    return send(req, res, 404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: `No playground file ${url.pathname}` } }));
  };
}

interface DemoFile {
  orgId: string;
  users: Array<{ email: string; password: string; role: string }>;
  patients?: Array<{ patientId: string; displayName: string }>;
  otherOrg?: DemoFile;
}

/** The stack's outputs and demo logins (the same files `npm start` writes to `.carestack/`). */
async function config(dataDir: string): Promise<unknown> {
  const read = async <T>(file: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(path.join(dataDir, file), 'utf8')) as T;
    } catch {
      return undefined;
    }
  };
  const outputs = (await read<Record<string, string>>('outputs.json')) ?? {};
  const demo = await read<DemoFile>('demo-users.json');
  const orgs = demo ? [demo, ...(demo.otherOrg ? [demo.otherOrg] : [])] : [];
  return {
    outputs,
    users: orgs.flatMap((o) => o.users.map((u) => ({ orgId: o.orgId, email: u.email, password: u.password, role: u.role }))),
    patients: orgs.flatMap((o) => (o.patients ?? []).map((p) => ({ orgId: o.orgId, patientId: p.patientId, displayName: p.displayName }))),
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-store'): true {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
