/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// What a newcomer notices in the first five minutes, measured in real Chromium: bubbles as wide as
// their text, a one-row room header on a phone, one "Lobby" link, the cluster page's rooms and admin
// controls laid out apart, and the protocol page following the dark theme.
import { PRODUCT_ADMIN_SECRET } from '../integration/support/product';
import { useBrowserProduct } from './support/browser-product';
import { backgroundLuminance, logIn, sendMessage, waitForConversation, waitForState } from './support/chat-page';

describe('the first five minutes', () => {
  const { problems, openPage, shot } = useBrowserProduct('browser-first-minutes-backend.log');

  it('lays out the room, the cluster page and the protocol page as a person expects', async () => {
    const alice = await openPage({ viewport: { width: 1280, height: 800 } });
    await alice.goto('/');
    await logIn(alice, 'Alice');
    await alice.fill('#room-name', 'Layout room');
    await alice.click('[data-testid="create-room"]');
    await alice.waitForURL(/\/rooms\/[A-Za-z0-9_-]{8,}$/);
    await waitForState(alice, 'live');
    const roomId = alice.url().split('/rooms/')[1];
    await sendMessage(alice, 'filler 1');
    await waitForConversation(alice, ['filler 1']);

    // Item 3: my bubble is as wide as its text, not as its (hidden) action row.
    const bubble = await alice.$eval('.message[data-seq="1"]', (m) => ({
      bubble: m.getBoundingClientRect().width,
      text: (() => {
        const range = document.createRange();
        range.selectNodeContents(m.querySelector('.text')!);
        return range.getBoundingClientRect().width;
      })(),
    }));
    expect(bubble.bubble).toBeLessThan(bubble.text + 40);

    // Item 7: one link says "Lobby".
    const lobbyLinks = await alice.$$eval('a', (links) => links.filter((a) => /lobby/i.test(a.innerText)).length);
    expect(lobbyLinks).toBe(1);

    // Item 6: at 390 px the room header is one row, without the session server's name.
    await alice.setViewportSize({ width: 390, height: 844 });
    const head = await alice.$eval('.room-head', (h) => h.getBoundingClientRect().height);
    expect(head).toBeLessThan(64);
    expect(await alice.isVisible('[data-testid="server-id"]')).toBe(false);
    await shot(alice, 'room-head-390');
    await alice.setViewportSize({ width: 1280, height: 800 });

    // Item 5, as the room's owner: the room's name and its id are apart, and not one underline.
    await alice.goto('/cluster');
    await alice.waitForSelector(`.rooms a[href="/rooms/${roomId}"] [data-testid="room-name"]`);
    const named = await alice.$eval(`.rooms a[href="/rooms/${roomId}"]`, (a) => ({
      gap: a.querySelector('code')!.getBoundingClientRect().left - a.querySelector('.room-name')!.getBoundingClientRect().right,
      linkUnderline: getComputedStyle(a).textDecorationLine,
    }));
    expect(named.gap).toBeGreaterThanOrEqual(4);
    expect(named.linkUnderline).toBe('none');

    // As admin: styled secret controls, Move apart from the id, Drain above the room list.
    await alice.click('.admin summary');
    const secretField = await alice.$eval('#admin-secret', (i) => getComputedStyle(i).borderTopLeftRadius);
    expect(secretField).not.toBe('0px');
    await alice.fill('#admin-secret', PRODUCT_ADMIN_SECRET);
    await alice.click('.admin button[type="submit"]');
    await alice.waitForSelector('[data-testid="move"]');
    const admin = await alice.$eval(
      `li.server:has(code:text-is("${roomId}"))`,
      (card, id) => {
        const code = [...card.querySelectorAll('.rooms code')].find((c) => c.textContent === id)!;
        const move = code.parentElement!.querySelector('[data-testid="move"]')!;
        const drain = card.querySelector('[data-testid="drain"]')!.getBoundingClientRect();
        const summary = card.querySelector('details summary')!.getBoundingClientRect();
        return { moveGap: move.getBoundingClientRect().left - code.getBoundingClientRect().right, drainBottom: drain.bottom, summaryTop: summary.top };
      },
      roomId,
    );
    expect(admin.moveGap).toBeGreaterThanOrEqual(4);
    expect(admin.drainBottom).toBeLessThanOrEqual(admin.summaryTop);
    await shot(alice, 'cluster-admin');

    // Item 7: the protocol page follows the dark theme too.
    const docs = await openPage({ colorScheme: 'dark' });
    await docs.goto('/docs/ws');
    expect(await backgroundLuminance(docs)).toBeLessThan(0.05);
    expect(problems).toEqual([]);
  }, 120_000);
});
