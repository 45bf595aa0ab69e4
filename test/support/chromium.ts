/**
 * Debian's Chromium for the browser tests (test/e2e/playground.test.ts, web-quickstart.test.ts),
 * driven by playwright-core (no browser is downloaded). A test skips, with the reason in its
 * title, when the browser is not installed; where CARESTACK_REQUIRE_BROWSER (set by `.ci/run`) or
 * CI is set, a missing browser fails it instead.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && (process.env.CARESTACK_REQUIRE_BROWSER || process.env.CI)) {
  throw new Error(`${CHROMIUM} is missing, and in CI the browser tests must run, not skip: apt-get install -y chromium`);
}

/** The describe title: `title`, or why it skips. */
export const browserTitle = (title: string): string => (HAVE_CHROMIUM ? title : `${title}: SKIPPED, ${CHROMIUM} is not installed (apt-get install -y chromium)`);

export interface Chromium {
  readonly browser: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Headless Chromium with a profile of its own; `args` adds to the quiet defaults (a certificate to trust, ...). */
export async function launchChromium(args: readonly string[] = []): Promise<Chromium> {
  const profileDir = await mkdtemp(path.join(tmpdir(), 'carestack-chromium-'));
  const browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}
