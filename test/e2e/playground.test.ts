/**
 * The API playground in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core; no browser is downloaded) opens Swagger UI at `/docs` on a local stack,
 * signs in a demo user through the page's form (local Cognito), and runs `GET /patients` through
 * Swagger UI; then the realtime page subscribes to a patient and receives the event of a change;
 * then GraphiQL at `/docs/graphql` (served from node_modules) signs in and runs a query.
 *
 * Skipped, with the reason in its name, only when /usr/bin/chromium is not installed (`.ci/run`
 * installs it). Set CARESTACK_SCREENSHOTS=<dir> to keep screenshots of the pages.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';
import { browserTitle, HAVE_CHROMIUM, launchChromium, type Chromium } from '../support/chromium.js';
import { apiClient, signIn } from '../support/client.js';

const SCREENSHOTS = process.env.CARESTACK_SCREENSHOTS;
const title = browserTitle('API playground in headless Chromium');

let stack: LocalStack;
let browser: BrowserContext;
let chrome: Chromium | undefined;

const shot = async (page: Page, name: string) => {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
};

describe.skipIf(!HAVE_CHROMIUM)(title, () => {
  beforeAll(async () => {
    stack = await startTestStack('e2e-playground');
    chrome = await launchChromium();
    browser = chrome.browser;
  });

  afterAll(async () => {
    await chrome?.close();
    await stopTestStack(stack);
  });

  it('serves the generated document with this stack as its server, and nothing outside /docs', async () => {
    const res = await fetch(`${stack.outputs.ApiUrl}/docs/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; servers: Array<{ url: string }>; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: stack.outputs.ApiUrl, description: 'This local stack' }]);
    expect(Object.keys(doc.paths)).toContain('/patients');
    expect((await fetch(`${stack.outputs.ApiUrl}/docs/assets/swagger-ui/swagger-ui-bundle.js`)).status).toBe(200);
    expect((await fetch(`${stack.outputs.ApiUrl}/docs/assets/swagger-ui/package.json`)).status).toBe(404);
    expect((await fetch(`${stack.outputs.ApiUrl}/docs/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('authorises Swagger UI with a demo token and runs GET /patients with a 200', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    await page.goto(`${stack.outputs.ApiUrl}/docs`);
    const op = page.locator('#operations-identity-listPatients');
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();

    // Not authorised yet: the API refuses.
    await op.locator('button.execute').click();
    const statusCell = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => statusCell.textContent(), { timeout: 20_000 }).toContain('401');

    const coordinator = stack.demoUsers!.users.find((u) => u.role === 'coordinator')!;
    await page.selectOption('#demo-user', coordinator.email);
    await page.click('#sign-in-button');
    await expect.poll(() => page.textContent('#sign-in-status'), { timeout: 20_000 }).toContain(`Authorised as ${coordinator.email}`);

    await op.locator('button.execute').click();
    await expect.poll(() => statusCell.textContent(), { timeout: 20_000 }).toContain('200');
    const body = await op.locator('.live-responses-table .response-col_description pre').first().textContent();
    for (const p of stack.demoUsers!.patients) expect(body).toContain(p.displayName);
    expect(await op.locator('.curl-command').textContent()).toContain('Authorization: Bearer ');
    await shot(page, 'docs-get-patients');
    await page.locator('.playground-bar').scrollIntoViewIfNeeded();
    await shot(page, 'docs-top');
    expect(failures).toEqual([]);
    // Swagger UI found nothing wrong with the document (it shows errors and warnings in this box).
    expect(await page.locator('.swagger-ui .errors-wrapper').count()).toBe(0);
    await page.close();
  });

  it('subscribes to a patient on the realtime page and shows the event of a change', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.outputs.ApiUrl}/docs/realtime`);
    const coordinator = stack.demoUsers!.users.find((u) => u.role === 'coordinator')!;
    const margaret = stack.demoUsers!.patients[0]!;
    await page.selectOption('#demo-user', coordinator.email);
    await page.click('#sign-in-button');
    await expect.poll(() => page.textContent('#status'), { timeout: 20_000 }).toContain('Connected as');
    await page.selectOption('#subscription', 'onPatientEvent');
    await page.selectOption('#patient', margaret.patientId);
    await page.click('#start-button');
    await expect.poll(() => page.textContent('#status'), { timeout: 20_000 }).toContain('Subscribed');

    const api = apiClient(stack.outputs);
    const token = await signIn(stack.outputs, coordinator.email, coordinator.password);
    const before = await api(token, 'GET', `/patients/${margaret.patientId}`);
    const patched = await api(token, 'PATCH', `/patients/${margaret.patientId}`, { version: before.body.version, room: '305' });
    expect(patched.status).toBe(200);
    await stack.settle();
    await expect.poll(() => page.textContent('#log'), { timeout: 20_000 }).toContain('PatientUpdated');
    const log = (await page.textContent('#log'))!;
    expect(log).toContain('"type":"data"');
    expect(log).toContain(margaret.patientId);
    await shot(page, 'realtime');
    await page.close();
  });

  it('runs a query in GraphiQL, served from node_modules, after the demo sign-in', async () => {
    for (const file of ['graphiql.min.js', 'graphiql.min.css', 'react.production.min.js', 'react-dom.production.min.js']) {
      expect((await fetch(`${stack.outputs.ApiUrl}/docs/assets/vendor/${file}`)).status, file).toBe(200);
    }
    expect((await fetch(`${stack.outputs.ApiUrl}/docs/assets/vendor/constructor`)).status).toBe(404);
    const page = await browser.newPage();
    const failures: string[] = [];
    const external: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    page.on('request', (r) => {
      const host = new URL(r.url()).hostname;
      if (!['127.0.0.1', 'localhost'].includes(host) && !r.url().startsWith('data:')) external.push(r.url());
    });
    await page.goto(`${stack.outputs.ApiUrl}/docs/graphql`);
    const coordinator = stack.demoUsers!.users.find((u) => u.role === 'coordinator')!;
    await page.selectOption('#demo-user', coordinator.email);
    await page.click('#sign-in-button');
    await expect.poll(() => page.textContent('#sign-in-status'), { timeout: 20_000 }).toContain(`Signed in as ${coordinator.email}`);
    // Run the first operation of the default document (listPatients), with GraphiQL's own button.
    await page.locator('.graphiql-execute-button').first().click();
    const menu = page.locator('.graphiql-dropdown-item, [role="menuitem"]').filter({ hasText: 'Patients' });
    if (await menu.count()) await menu.first().click();
    const result = page.locator('.result-window');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain('listPatients');
    const text = (await result.textContent())!;
    for (const p of stack.demoUsers!.patients) expect(text).toContain(p.displayName);
    expect(text).not.toContain('errors');
    await shot(page, 'graphiql-list-patients');
    expect(failures).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
