/**
 * The web quickstart (examples/web) in a real browser, as the README's path runs it: a local stack
 * with TLS (in process), `npm run web` itself (Vite's dev server, pointed at that stack's outputs),
 * and Debian's Chromium driven by playwright-core. The browser trusts the stack's self-signed
 * certificate by its SPKI hash only (`--ignore-certificate-errors-spki-list`), and is shown to refuse
 * another self-signed certificate. It signs in with Amplify (SRP, in the page), lists the aide's
 * patients over GraphQL, opens a dashboard that subscribes to `onPatientEvent` over wss, reports an
 * incident through the form (REST), and sees the dashboard change by the event alone; then an
 * incident reported by someone else arrives the same way.
 *
 * Screenshots go to $CARESTACK_SCREENSHOTS, else test-results/web-quickstart/ (git-ignored).
 * Without /usr/bin/chromium the suite is skipped with the reason in its name, except in CI
 * (`.ci/run` sets CARESTACK_REQUIRE_BROWSER; `CI` counts too), where a missing browser fails it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCareStackClient } from '../../clients/typescript/src/index.js';
import type { LocalStack } from '../../local/stack.js';
import { browserTitle, HAVE_CHROMIUM, launchChromium, type Chromium } from '../support/chromium.js';
import { signIn } from '../support/client.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';

const root = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS = process.env.CARESTACK_SCREENSHOTS ?? path.join(root, 'test-results/web-quickstart');
const title = browserTitle('web quickstart (examples/web) in headless Chromium');

let stack: LocalStack;
let web: ChildProcess | undefined;
let webUrl: string;
/** What `npm run web` printed (shown when a test fails). */
let webOutput = '';
let browser: BrowserContext;
let chrome: Chromium | undefined;
let stranger: Server | undefined;
let page: Page;
const pageErrors: string[] = [];
const outsideRequests: string[] = [];

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo: what Chromium's SPKI allow-list takes. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function npmCli(): string {
  return process.env.npm_execpath ?? execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm run web` as the README runs it, on this stack's outputs; resolves with the URL Vite prints. */
async function startWeb(): Promise<string> {
  const child = spawn(process.execPath, [npmCli(), 'run', 'web'], {
    cwd: root,
    env: { ...process.env, CARESTACK_DATA_DIR: stack.dataDir, CARESTACK_WEB_PORT: String(await freePort()), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, the shell and Vite are stopped together
  });
  web = child;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run web did not come up:\n${webOutput}`)), 90_000);
    const read = (d: Buffer) => {
      webOutput += String(d);
      const url = /Local:\s+(http:\/\/\S+)/.exec(webOutput)?.[1]; // NO_COLOR: plain text
      if (url) {
        clearTimeout(timer);
        resolve(url.replace(/\/$/, ''));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run web exited with ${code}:\n${webOutput}`));
    });
  });
}

async function stopWeb(): Promise<void> {
  if (!web?.pid || web.exitCode !== null) return;
  const exited = new Promise((resolve) => web!.once('exit', resolve));
  process.kill(-web.pid, 'SIGTERM');
  await exited;
}

/** A new tab on the app (the browser keeps Amplify's session in localStorage across tabs). */
async function openApp(): Promise<void> {
  await page?.close();
  page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('request', (r) => {
    const { protocol, hostname } = new URL(r.url());
    if (!['data:', 'blob:'].includes(protocol) && !['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) outsideRequests.push(r.url());
  });
  await page.goto(webUrl);
}

const shot = async (name: string) => {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
};
const text = async (selector: string) => (await page.textContent(selector)) ?? '';
const user = (role: string) => stack.demoUsers!.users.find((u) => u.role === role)!;

describe.skipIf(!HAVE_CHROMIUM)(title, () => {
  afterEach(({ task }) => {
    if (task.result?.state === 'fail') console.log(`npm run web printed:\n${webOutput}`);
  });

  beforeAll(async () => {
    stack = await startTestStack('e2e-web', { tls: true, ports: { api: 0, cognito: 0, graphql: 0, graphqlTls: 0 } });
    webUrl = await startWeb();
    chrome = await launchChromium([
      // Trust exactly the stack's certificate (never --ignore-certificate-errors).
      `--ignore-certificate-errors-spki-list=${spkiHash(readFileSync(stack.certificatePath!, 'utf8'))}`, // what `npm run web` prints
    ]);
    browser = chrome.browser;
    // The first load of a fresh dev server may pre-bundle dependencies and reload the page once;
    // let that happen here, not in a test.
    await openApp();
    await page.waitForLoadState('networkidle');
    await page.waitForSelector('#sign-in');
  });

  afterAll(async () => {
    await chrome?.close();
    await stopWeb();
    await new Promise((resolve) => (stranger ? stranger.close(resolve) : resolve(undefined)));
    await stopTestStack(stack);
  });

  it("trusts the stack's certificate and no other self-signed one", async () => {
    const other = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      days: 1,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    } as never);
    stranger = createHttpsServer({ key: other.private, cert: other.cert }, (_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => stranger!.listen(0, '127.0.0.1', resolve));
    const strangerUrl = `https://127.0.0.1:${(stranger.address() as AddressInfo).port}/`;

    // `npm run web` prints the launch line the README points to, with this same hash.
    expect(webOutput).toContain(`--ignore-certificate-errors-spki-list=${spkiHash(readFileSync(stack.certificatePath!, 'utf8'))} ${webUrl}/`);
    const reach = (url: string) => page.evaluate((u) => fetch(u, { mode: 'no-cors' }).then(() => 'reached', (e: Error) => `refused: ${e.message}`), url);
    expect(await reach(stack.outputs.GraphqlUrl)).toBe('reached');
    expect(await reach(strangerUrl)).toMatch(/^refused/);
    const tab = await browser.newPage();
    await expect(tab.goto(strangerUrl)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    await tab.close();
  });

  it("shows Cognito's own answer to a wrong password", async () => {
    await openApp();
    await page.fill('#email', user('aide').email);
    await page.fill('#password', 'not-the-password-1A!');
    await page.click('#sign-in');
    await expect.poll(() => text('#message'), { timeout: 60_000 }).toBe('NotAuthorizedException: Incorrect username or password.');
  });

  it("signs in a demo aide with Amplify's SRP flow and lists only the aide's patients, over GraphQL", async () => {
    await openApp();
    await page.selectOption('#demo-user', user('aide').email);
    await page.click('#sign-in');
    await page.waitForSelector('#patients a', { timeout: 60_000 });
    expect(await text('#me')).toBe(`${user('aide').displayName} (aide)`);
    const names = await page.locator('#patients a').allTextContents();
    // The aide is on Margaret's care team only; Walter (same org) and Ines (other org) stay hidden.
    expect(names).toEqual(['Margaret Chen']);
    await shot('web-patients');
  });

  it('reports an incident from the form and the dashboard follows it live', async () => {
    const margaret = stack.demoUsers!.patients[0]!;
    await page.click('#patients a');
    await expect.poll(() => text('#live-status'), { timeout: 30_000 }).toBe('Live updates: subscribed');
    expect(await text('h1')).toBe('Margaret Chen');
    const before = Number(await text('#incident-count'));
    expect(await text('#events')).toBe('');

    await page.selectOption('#category', 'fall');
    await page.selectOption('#severity', 'high');
    await page.fill('#details', 'Found on the floor beside the bed; no visible injury');
    await page.click('#report');
    await expect.poll(() => text('#report-message'), { timeout: 30_000 }).toMatch(/^Reported \(open\); the report to the regulator is due by /);
    // The form does not refresh the dashboard: the new count arrives through onPatientEvent.
    await expect.poll(() => text('#incident-count'), { timeout: 30_000 }).toBe(String(before + 1));
    expect(await text('#open-count')).toBe(String(before + 1));
    expect(await text('#events')).toContain('IncidentReported (Incident ');
    expect(await text('#incidents')).toContain('fall, high, open. Found on the floor beside the bed; no visible injury');

    // It was written as the aide, through the API (read back by a coordinator with the client package).
    const coordinatorToken = await signIn(stack.outputs, user('coordinator').email, user('coordinator').password);
    const coordinator = createCareStackClient({ apiUrl: stack.outputs.ApiUrl, token: () => coordinatorToken });
    const { items } = await coordinator.listPatientIncidents({ params: { path: { patientId: margaret.patientId } } });
    expect(items[0]).toMatchObject({ category: 'fall', severity: 'high', status: 'open', reportedBy: user('aide').userId });
    await shot('web-dashboard-live');

    // Someone else's report reaches this screen the same way, with no click here.
    await coordinator.reportIncident({
      params: { path: { patientId: margaret.patientId } },
      body: { category: 'behavior', severity: 'low', details: 'Agitated at dinner', occurredAt: new Date().toISOString() },
    });
    await expect.poll(() => text('#incident-count'), { timeout: 30_000 }).toBe(String(before + 2));
    expect((await page.locator('#events li').allTextContents()).filter((e) => e.includes('IncidentReported'))).toHaveLength(2);
    expect(await text('#incidents')).toContain('behavior, low, open. Agitated at dinner');
    await shot('web-dashboard-second-event');

    expect(pageErrors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });
});
