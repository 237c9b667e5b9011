/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Version 2 as two people use it in real Chromium: the room's name for whoever joins by link, edit,
// delete and react seen live by the other person and after a reload, and unread counts in the lobby.
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { SHOTS, useBrowserProduct } from './support/browser-product';
import { logIn, sendMessage, textContrast, waitForConversation, waitForState } from './support/chat-page';

describe('web client: names, edits, reactions and unread counts', () => {
  const { problems, openPage: openContextPage } = useBrowserProduct('browser-v2-backend.log');
  const openPage = () => openContextPage({ viewport: { width: 1280, height: 800 } });

  const message = (seq: number) => `.message[data-seq="${seq}"]`;
  async function act(page: Page, seq: number, selector: string): Promise<void> {
    await page.hover(message(seq));
    await page.click(`${message(seq)} ${selector}`);
  }

  it('Bob sees the name; edits, deletions and reactions show live and after a reload; unread counts rise and clear', async () => {
    const alice = await openPage();
    const bob = await openPage();
    await alice.goto('/');
    await logIn(alice, 'Alice');
    await alice.fill('#room-name', 'Friday standup');
    await alice.click('[data-testid="create-room"]');
    await alice.waitForURL(/\/rooms\/[A-Za-z0-9_-]{8,}$/);
    await waitForState(alice, 'live');
    const shareLink = alice.url();
    const roomId = shareLink.split('/rooms/')[1];

    await bob.goto(shareLink);
    await logIn(bob, 'Bob');
    await bob.waitForURL(shareLink);
    await waitForState(bob, 'live');
    await bob.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('Friday standup'));
    expect(await bob.title()).toBe('Friday standup · Rooms');

    await sendMessage(alice, 'helo');
    await sendMessage(alice, 'oops');
    await waitForConversation(bob, ['helo', 'oops']);

    // Alice fixes a typo inline: Bob sees the new text with the edited mark.
    await act(alice, 1, '[data-testid="edit"]');
    await alice.fill(`${message(1)} textarea`, 'hello');
    await alice.press(`${message(1)} textarea`, 'Enter');
    await bob.waitForSelector(`${message(1)} [data-testid="edited"]`);
    expect(await bob.textContent(`${message(1)} .text`)).toContain('hello');

    // Bob reacts; Alice sees the count and who.
    await act(bob, 1, '[aria-label="React 👍"]');
    await alice.waitForSelector(`${message(1)} .reaction[title="Bob"]`);
    expect((await alice.textContent(`${message(1)} .reaction`))?.trim()).toBe('👍 1');

    // Alice deletes her second message after confirming; the seq stays, as a placeholder.
    await act(alice, 2, '[data-testid="delete"]');
    await alice.click(`${message(2)} [data-testid="confirm-delete"]`);
    await bob.waitForSelector(`${message(2)} [data-testid="deleted"]`);
    await bob.screenshot({ path: join(SHOTS, 'room-v2.png') });

    // After a reload, Bob sees the same state.
    await bob.reload();
    await waitForState(bob, 'live');
    await bob.waitForSelector(`${message(2)} [data-testid="deleted"]`);
    expect(await bob.textContent(`${message(1)} .text`)).toContain('hello');
    expect(await bob.textContent(`${message(1)} .reaction`)).toContain('👍 1');
    expect(await bob.$(`${message(1)} [data-testid="edited"]`)).not.toBeNull();

    // Alice goes to the lobby; Bob writes twice; her unread count rises within a few seconds.
    await alice.click('a.back');
    await alice.waitForSelector(`.recent a[href="/rooms/${roomId}"]`);
    await sendMessage(bob, 'are you there?');
    await sendMessage(bob, 'standup in 5');
    await alice.waitForFunction((id) => document.querySelector(`.recent a[href="/rooms/${id}"] [data-testid="unread"]`)?.textContent?.trim() === '2', roomId, {
      timeout: 15_000,
      polling: 200,
    });
    expect(await alice.title()).toBe('(2) Rooms');
    await alice.screenshot({ path: join(SHOTS, 'lobby-unread.png') });
    // The count stays readable in the dark theme too (its text follows the accent, not a fixed white).
    const badge = `.recent a[href="/rooms/${roomId}"] [data-testid="unread"]`;
    expect(await textContrast(alice, badge)).toBeGreaterThanOrEqual(4.5);
    await alice.emulateMedia({ colorScheme: 'dark' });
    expect(await textContrast(alice, badge)).toBeGreaterThanOrEqual(4.5);
    await alice.screenshot({ path: join(SHOTS, 'lobby-unread-dark.png') });
    await alice.emulateMedia({ colorScheme: 'light' });

    // She opens the room: the divider sits at her marker, and the count clears.
    await alice.click(`.recent a[href="/rooms/${roomId}"]`);
    await waitForState(alice, 'live');
    await alice.waitForSelector('[data-testid="new-divider"]');
    // Right before the first of Bob's two messages she had not read.
    expect(await alice.$eval('[data-testid="new-divider"]', (d) => d.nextElementSibling?.querySelector('.text')?.textContent?.trim())).toBe('are you there?');
    // Bob's "Seen by Alice" means her read reached the room (and her device kept the marker).
    await bob.waitForFunction(() => document.querySelector('[data-testid="seen-by"]')?.textContent?.includes('Alice'), undefined, { timeout: 10_000 });
    await alice.click('a.back');
    await alice.waitForFunction(
      (id) => !!document.querySelector(`.recent a[href="/rooms/${id}"]`) && !document.querySelector(`.recent a[href="/rooms/${id}"] [data-testid="unread"]`),
      roomId,
      { timeout: 15_000, polling: 200 },
    );
    expect(problems).toEqual([]);
  }, 180_000);

  it('keeps the top bar on one line at phone width (390 px)', async () => {
    const phone = await openContextPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.goto('/');
    await logIn(phone, 'Pat Ortega-Smith');
    await phone.waitForSelector('[data-testid="current-user"]');
    const layout = await phone.evaluate(() => {
      const box = (sel: string) => document.querySelector(sel)!.getBoundingClientRect();
      const logout = box('.user button');
      const nav = box('nav');
      const line = parseFloat(getComputedStyle(document.querySelector('.user button')!).lineHeight) || 20;
      return { logoutHeight: logout.height, line, sameRow: Math.abs(logout.top + logout.height / 2 - (nav.top + nav.height / 2)) < 4, right: logout.right };
    });
    expect(layout.logoutHeight).toBeLessThan(layout.line * 2);
    expect(layout.sameRow).toBe(true);
    expect(layout.right).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(SHOTS, 'topbar-390.png') });
  }, 60_000);
});
