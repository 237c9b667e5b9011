/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Machines that look: every page audited by axe-core for WCAG 2.2 AA (colour contrast included) in
// both themes and at desktop and phone width, in the states a person meets (a message hovered, a
// delete being confirmed, the cluster as user and as admin); and the room used with the keyboard only.
import type { Page } from 'playwright-core';
import { PRODUCT_ADMIN_SECRET } from '../integration/support/product';
import { auditPage } from './support/axe-audit';
import { useBrowserProduct } from './support/browser-product';
import { logIn, sendMessage, waitForConversation, waitForState } from './support/chat-page';

const VARIANTS = [
  { scheme: 'light', width: 1280, height: 800 },
  { scheme: 'dark', width: 1280, height: 800 },
  { scheme: 'light', width: 390, height: 844 },
  { scheme: 'dark', width: 390, height: 844 },
] as const;

const message = (seq: number) => `.message[data-seq="${seq}"]`;

describe('accessibility: WCAG 2.2 AA on every page, both themes, desktop and phone', () => {
  const { problems, openPage } = useBrowserProduct('browser-a11y-backend.log');
  const setup = {} as { guest: Page; lobby: Page; alice: Page; bob: Page; user: Page; admin: Page; roomId: string };

  beforeAll(async () => {
    setup.alice = await openPage();
    await setup.alice.goto('/');
    await logIn(setup.alice, 'Alice');
    await setup.alice.fill('#room-name', 'Audit room');
    await setup.alice.click('[data-testid="create-room"]');
    await setup.alice.waitForURL(/\/rooms\/[A-Za-z0-9_-]{8,}$/);
    await waitForState(setup.alice, 'live');
    setup.roomId = setup.alice.url().split('/rooms/')[1];

    setup.bob = await openPage();
    await setup.bob.goto(`/rooms/${setup.roomId}`);
    await logIn(setup.bob, 'Bob');
    await waitForState(setup.bob, 'live');
    await sendMessage(setup.alice, 'filler 1');
    await sendMessage(setup.bob, 'Hi Alice, see https://example.org/agenda');
    await sendMessage(setup.alice, 'Thanks Bob');
    await waitForConversation(setup.alice, ['filler 1', 'Hi Alice, see https://example.org/agenda', 'Thanks Bob']);

    // Alice's lobby in a second tab of her browser: her recent room is listed there.
    setup.lobby = await setup.alice.context().newPage();
    await setup.lobby.goto('/');
    await setup.lobby.waitForSelector(`.recent a[href="/rooms/${setup.roomId}"]`);

    setup.guest = await openPage();
    await setup.guest.goto('/login');
    await setup.guest.waitForSelector('#display-name');

    setup.user = await openPage();
    await setup.user.goto('/cluster');
    await logIn(setup.user, 'Observer');
    await setup.user.waitForSelector('li.server');

    setup.admin = await openPage();
    await setup.admin.goto('/cluster');
    await logIn(setup.admin, 'Operator');
    await setup.admin.click('.admin summary');
    await setup.admin.fill('#admin-secret', PRODUCT_ADMIN_SECRET);
    await setup.admin.click('.admin button[type="submit"]');
    await setup.admin.waitForSelector('[data-testid="drain"]');
  }, 120_000);

  for (const variant of VARIANTS) {
    const label = `${variant.scheme}, ${variant.width} px`;
    it(`passes the audit on every page (${label})`, async () => {
      const violations: string[] = [];
      for (const page of [setup.guest, setup.lobby, setup.alice, setup.user, setup.admin]) {
        await page.setViewportSize({ width: variant.width, height: variant.height });
        await page.emulateMedia({ colorScheme: variant.scheme });
      }
      violations.push(...(await auditPage(setup.guest, `login (${label})`)));
      violations.push(...(await auditPage(setup.lobby, `lobby (${label})`)));

      const { alice } = setup;
      await alice.hover(message(1));
      violations.push(...(await auditPage(alice, `room, own message hovered (${label})`)));
      await alice.hover(message(2));
      violations.push(...(await auditPage(alice, `room, another's message hovered (${label})`)));
      await alice.hover(message(3));
      await alice.click(`${message(3)} [data-testid="delete"]`);
      await alice.waitForSelector(`${message(3)} [data-testid="confirm-delete"]`);
      violations.push(...(await auditPage(alice, `room, confirming a delete (${label})`)));
      await alice.click(`${message(3)} button:text-is("Keep")`);
      await alice.mouse.move(0, 0);

      violations.push(...(await auditPage(setup.user, `cluster as user (${label})`)));
      violations.push(...(await auditPage(setup.admin, `cluster as admin (${label})`)));
      expect(violations).toEqual([]);
    }, 90_000);
  }

  it('reaches and shows every message action with the keyboard alone', async () => {
    const { alice } = setup;
    await alice.setViewportSize({ width: 1280, height: 800 });
    await alice.emulateMedia({ colorScheme: 'light' });
    await alice.mouse.move(0, 0);
    await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    /** What has keyboard focus, and whether a person can see it (size, opacity, on screen). */
    const focused = () =>
      alice.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const r = el.getBoundingClientRect();
        const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
        const seq = el.closest('.message')?.getAttribute('data-seq') ?? null;
        return {
          name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName,
          testId: el.getAttribute('data-testid'),
          seq,
          visible: onScreen && el.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
        };
      });

    /** The focus moves after Angular renders the new state: wait for it to land on this test id. */
    const focusLandsOn = (testId: string) =>
      alice.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, testId, { timeout: 5_000, polling: 50 });

    const reached: string[] = [];
    const hidden: string[] = [];
    let onOwnEdit = false;
    for (let i = 0; i < 120 && !onOwnEdit; i++) {
      await alice.keyboard.press('Tab');
      const f = await focused();
      if (!f) continue;
      const where = f.seq ? `message ${f.seq}: ${f.name}` : f.name;
      reached.push(where);
      if (!f.visible) hidden.push(where);
      onOwnEdit = f.seq === '3' && f.testId === 'edit';
    }
    expect(hidden).toEqual([]);
    expect(reached).toEqual(expect.arrayContaining(['message 1: React 👍', 'message 1: Edit', 'message 1: Delete', 'message 2: React 👍']));
    expect(reached).not.toContain('message 2: Edit');
    expect(onOwnEdit).toBe(true);
    // Shown with readable contrast while focused, not only while hovered.
    expect(await auditPage(alice, 'room, Edit focused by keyboard')).toEqual([]);

    // Delete asks first; the question and its answers are where the focus is.
    await alice.keyboard.press('Tab');
    expect((await focused())?.testId).toBe('delete');
    await alice.keyboard.press('Enter');
    await focusLandsOn('keep');
    expect(await focused()).toEqual(expect.objectContaining({ seq: '3', visible: true }));
    expect(await alice.isVisible(`${message(3)} [data-testid="confirm-delete"]`)).toBe(true);
    expect(await auditPage(alice, 'room, confirming a delete by keyboard')).toEqual([]);
    await alice.keyboard.press('Escape');
    await alice.waitForSelector(`${message(3)} [data-testid="confirm-delete"]`, { state: 'detached' });
    await focusLandsOn('delete');

    // Edit by keyboard: the box takes the focus, Escape gives it back.
    await alice.keyboard.press('Shift+Tab');
    expect((await focused())?.testId).toBe('edit');
    await alice.keyboard.press('Enter');
    await focusLandsOn('edit-box');
    await alice.keyboard.press('Escape');
    await focusLandsOn('edit');
    expect(problems).toEqual([]);
  }, 90_000);
});
