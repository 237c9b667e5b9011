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

/**
 * WCAG contrast ratio of an element's text colour against its own background colour (both opaque
 * `rgb()` as Chromium computes them): at least 4.5 for normal text.
 */
export function textContrast(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (el) => {
    const style = getComputedStyle(el);
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [light, dark] = [luminance(style.color), luminance(style.backgroundColor)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  });
}

/** WCAG relative luminance (0 black … 1 white) of the page's background: tells the dark theme from the light one. */
export function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [r, g, b] = (getComputedStyle(document.body).backgroundColor.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });
}
