// The product and a headless Chromium for one browser test file: the real backend (which starts its
// own session servers), pages whose console errors and page errors are collected as problems.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/server-process';
import { startBackend, type RunningBackend } from './backend-process';

export const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Browser noise that is not an app error: failed sockets and 404s are expected while a server is killed. */
const EXPECTED_CONSOLE = /WebSocket connection to .* failed|Failed to load resource/;

export interface BrowserProduct {
  readonly backend: RunningBackend;
  readonly browser: Browser;
  /** Console and page errors of every page opened so far: a test expects it empty. */
  readonly problems: string[];
  /** A page in a fresh context (its own storage: another person) on the product's origin. */
  openPage(options?: BrowserContextOptions): Promise<Page>;
  /** Saves a screenshot under test-artifacts/screenshots/<name>.png. */
  shot(page: Page, name: string): Promise<void>;
}

/**
 * Starts the product before the file's tests and stops it after (Jest hooks), logging the backend to
 * test-artifacts/<logName>. The fields are set once `beforeAll` has run.
 */
export function useBrowserProduct(logName: string): BrowserProduct {
  let backend: RunningBackend | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started: use it inside a test`);
    return value;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    backend = await startBackend(join(ROOT, 'test-artifacts', logName));
    browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await backend?.stop();
  }, 60_000);

  return {
    get backend() {
      return ready(backend, 'the backend');
    },
    get browser() {
      return ready(browser, 'the browser');
    },
    problems,
    async openPage(options = {}) {
      const context = await ready(browser, 'the browser').newContext({ baseURL: ready(backend, 'the backend').baseUrl, ...options });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    },
  };
}
