/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// What the e2e test does and reads on the web app's pages, by label, role and test id.
import type { Page } from 'playwright-core';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'not-found' | 'full' | 'unauthorized' | 'idle';

export async function logIn(page: Page, name: string): Promise<void> {
  await page.waitForSelector('#display-name');
  await page.fill('#display-name', name);
  await page.press('#display-name', 'Enter');
  await page.waitForFunction(() => !location.pathname.startsWith('/login'));
}

export async function waitForState(page: Page, state: ConnectionState, timeout = 30_000): Promise<void> {
  await page.waitForSelector(`[data-testid="connection-state"][data-state="${state}"]`, { state: 'attached', timeout });
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const lines = text.split('\n');
  await page.focus('#composer-text');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await page.keyboard.press('Shift+Enter');
    await page.keyboard.type(lines[i]);
  }
  await page.keyboard.press('Enter');
}

/** Texts of the messages shown, in order, with whether each is still pending. */
export function shownMessages(page: Page): Promise<{ text: string; pending: boolean; seq: string | null }[]> {
  return page.$$eval('.message', (nodes) =>
    nodes.map((n) => ({
      text: n.querySelector('.text')?.textContent ?? '',
      pending: n.classList.contains('pending'),
      seq: n.getAttribute('data-seq'),
    })),
  );
}

/** Waits until exactly these texts are shown, confirmed, in this order. */
export async function waitForConversation(page: Page, texts: readonly string[], timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const nodes = [...document.querySelectorAll('.message')];
      const shown = nodes.map((n) => (n.classList.contains('pending') ? '(pending)' : '') + (n.querySelector('.text')?.textContent ?? ''));
      return JSON.stringify(shown) === JSON.stringify(expected);
    },
    texts,
    { timeout, polling: 100 },
  );
}

export async function waitForMembers(page: Page, names: readonly string[], timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const shown = [...document.querySelectorAll('[data-testid="members"] .name')].map((n) => n.textContent?.trim() ?? '');
      return expected.every((name) => shown.includes(name)) && shown.length === expected.length;
    },
    names,
    { timeout, polling: 100 },
  );
}

export async function waitForTyping(page: Page, text: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction((t) => (document.querySelector('[data-testid="typing"]')?.textContent ?? '').includes(t), text, { timeout, polling: 50 });
}
