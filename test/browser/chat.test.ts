/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The product as a person uses it: real backend (`node dist/apps/backend/main.js`, which starts its own
// session servers), real headless Chromium. Two people chat; the session server holding their room is
// killed; both reconnect and the conversation is intact, nothing lost, nothing twice.
import type { Page } from 'playwright-core';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { descendantsOf, isAlive, pidListeningOn } from '../support/processes';
import { ROOT } from '../support/server-process';
import { PRODUCT_ADMIN_SECRET } from '../integration/support/product';
import { SHOTS, useBrowserProduct } from './support/browser-product';
import {
  backgroundLuminance,
  logIn,
  sendMessage,
  shownMessages,
  textContrast,
  waitForConversation,
  waitForMembers,
  waitForState,
  waitForTyping,
} from './support/chat-page';

const DOC_SHOTS = join(ROOT, 'docs', 'screenshots');

describe('web client against the real product', () => {
  const product = useBrowserProduct('browser-backend.log');
  const { problems, openPage, shot } = product;

  /** The page as a person whose system is set to dark sees it (the app follows prefers-color-scheme), then back to light. */
  async function darkShot(page: Page, name: string): Promise<void> {
    const light = await backgroundLuminance(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await backgroundLuminance(page)).toBeLessThan(0.05);
    expect(light).toBeGreaterThan(0.8);
    expect(await textContrast(page, 'body')).toBeGreaterThanOrEqual(7);
    await shot(page, name);
    await page.emulateMedia({ colorScheme: 'light' });
  }

  it('two people chat, survive the loss of their session server, and nothing is lost or doubled', async () => {
    const alice = await openPage({ viewport: { width: 1280, height: 800 } });
    const bob = await openPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await alice.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: product.backend.baseUrl });

    // Alice logs in (the guard sends her to /login first) and creates a named room.
    await alice.goto('/');
    await alice.waitForURL(/\/login/);
    await logIn(alice, 'Alice');
    await alice.waitForSelector('#room-name');
    await alice.fill('#room-name', 'E2E room');
    await alice.click('[data-testid="create-room"]');
    await alice.waitForURL(/\/rooms\/[A-Za-z0-9_-]{8,}$/);
    await waitForState(alice, 'live');
    const shareLink = alice.url();
    const roomId = shareLink.split('/rooms/')[1];

    // The share button puts the room's URL on the clipboard.
    await alice.click('[data-testid="share"]');
    await alice.waitForFunction(() => document.querySelector('[data-testid="share"]')?.textContent?.includes('copied'));
    expect(await alice.evaluate(() => navigator.clipboard.readText())).toBe(shareLink);

    // Bob opens the share link, logs in, and lands in the room.
    await bob.goto(shareLink);
    await bob.waitForURL(/\/login\?returnUrl=/);
    await logIn(bob, 'Bob');
    await bob.waitForURL(shareLink);
    await waitForState(bob, 'live');
    await waitForMembers(alice, ['Alice', 'Bob']);
    await waitForMembers(bob, ['Alice', 'Bob']);

    // Typing shows on the other side.
    await bob.focus('#composer-text');
    await bob.keyboard.type('Hi Alice', { delay: 30 });
    await waitForTyping(alice, 'Bob is typing');
    await bob.keyboard.press('Enter');

    await sendMessage(alice, 'Hello Bob!');
    await sendMessage(alice, 'This one has\ntwo lines');
    await sendMessage(bob, 'Got both, merci à toi');
    const before = ['Hi Alice', 'Hello Bob!', 'This one has\ntwo lines', 'Got both, merci à toi'];
    await waitForConversation(alice, before);
    await waitForConversation(bob, before);
    // Consecutive messages of one author are grouped.
    expect(await alice.$$eval('.group', (g) => g.map((n) => n.querySelectorAll('.message').length))).toEqual([1, 2, 1]);
    await shot(alice, 'room');
    await shot(bob, 'room-phone');
    await darkShot(alice, 'room-dark');

    // Find the session server hosting the room: its port from the cluster view, its pid from /proc.
    const view = await product.backend.cluster();
    const host = view.servers.find((s) => s.rooms.includes(roomId));
    expect(host).toBeDefined();
    expect(await alice.textContent('[data-testid="server-id"]')).toContain(host!.id);
    const port = Number(new URL(host!.url!).port);
    const pid = pidListeningOn(port, descendantsOf(product.backend.pid));
    if (pid === undefined) throw new Error(`no process below the backend listens on port ${port} (server ${host!.id})`);

    // The cluster view shows another user the servers and their load, but not Alice's room; as
    // admin, the room on that server (unlinked: it is someone else's).
    const observer = await openPage({ viewport: { width: 1280, height: 800 } });
    await observer.goto('/cluster');
    await logIn(observer, 'Observer');
    await observer.waitForSelector(`li.server[data-server-id="${host!.id}"]`);
    expect(await observer.locator(`text=${roomId}`).count()).toBe(0);
    await observer.click('.admin summary');
    await observer.fill('#admin-secret', PRODUCT_ADMIN_SECRET);
    await observer.click('.admin button[type="submit"]');
    await observer.waitForSelector(`li.server[data-server-id="${host!.id}"] .rooms code:text-is("${roomId}")`);
    expect(await observer.locator(`a[href="/rooms/${roomId}"]`).count()).toBe(0);
    await shot(observer, 'cluster');

    // Kill it without warning.
    process.kill(pid, 'SIGKILL');
    await eventually(() => !isAlive(pid), 5_000, 'the session server to die', 50);

    await waitForState(alice, 'reconnecting', 15_000);
    await waitForState(bob, 'reconnecting', 15_000);
    await shot(alice, 'room-reconnecting');
    // Written while the room has no server: queued (shown as pending while the room is away, which
    // may be too short to observe) and delivered exactly once when back.
    await sendMessage(alice, 'Sent while the server was down');
    await alice.waitForFunction(() => [...document.querySelectorAll('.message .text')].at(-1)?.textContent === 'Sent while the server was down');

    await waitForState(alice, 'live', 60_000);
    await waitForState(bob, 'live', 60_000);
    const after = [...before, 'Sent while the server was down'];
    await waitForConversation(alice, after);
    await waitForConversation(bob, after);

    // Still live after the move: a new message goes through both ways.
    await sendMessage(bob, 'Back again');
    await waitForConversation(alice, [...after, 'Back again']);
    await waitForConversation(bob, [...after, 'Back again']);
    for (const page of [alice, bob]) {
      const seqs = (await shownMessages(page)).map((m) => m.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs.map(Number)).toEqual([...seqs.map(Number)].sort((a, b) => a - b));
    }
    await waitForMembers(alice, ['Alice', 'Bob']);
    const moved = (await product.backend.cluster()).servers.find((s) => s.rooms.includes(roomId));
    expect(moved?.alive).toBe(true);

    // Back to the lobby: the room is among the recently visited ones, under its name.
    await alice.click('a.back');
    await alice.waitForSelector(`.recent a[href="/rooms/${roomId}"]`);
    expect(await alice.textContent(`.recent a[href="/rooms/${roomId}"]`)).toContain('E2E room');
    await shot(alice, 'lobby');
    await darkShot(alice, 'lobby-dark');

    // An unknown room says so.
    await bob.goto('/rooms/doesNotExist12345');
    await bob.waitForSelector('[data-testid="room-not-found"]', { timeout: 15_000 });
    await waitForState(bob, 'not-found');
    await shot(bob, 'room-not-found');

    expect(problems).toEqual([]);

    // The README's pictures change only when asked: a test run leaves the work tree clean.
    if (!process.env.UPDATE_SCREENSHOTS) return;
    mkdirSync(DOC_SHOTS, { recursive: true });
    for (const name of ['lobby', 'room', 'room-phone', 'cluster', 'room-reconnecting', 'room-not-found', 'room-dark', 'lobby-dark']) {
      copyFileSync(join(SHOTS, `${name}.png`), join(DOC_SHOTS, `${name}.png`));
    }
  }, 240_000);
});
