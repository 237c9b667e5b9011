import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ClusterView } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { AdminSession } from '../core/admin-session';
import { ApiError } from '../core/api-error';
import { CLOCK } from '../core/clock';
import { FakeClock } from '../testing/fake-clock';
import { flushAsync } from '../testing/flush-async';
import { CLUSTER_REFRESH_MS, ClusterComponent } from './cluster.component';

const view = (rooms: string[], scope: 'own' | 'all' = 'own'): ClusterView => ({
  at: 5000,
  scope,
  servers: [
    {
      id: 'sess-a',
      ...(scope === 'all' ? { url: 'ws://127.0.0.1:8001' } : {}),
      capacity: 4,
      roomCount: rooms.length,
      rooms,
      connections: 7,
      draining: false,
      alive: true,
      lastHeartbeat: 4000,
    },
    {
      id: 'sess-b',
      ...(scope === 'all' ? { url: 'ws://127.0.0.1:8002' } : {}),
      capacity: 4,
      roomCount: 0,
      rooms: [],
      connections: 0,
      draining: false,
      alive: false,
      lastHeartbeat: 0,
    },
  ],
});

/** The component on a fake clock and a stub ApiClient, after its first load (signed in as admin with `adminToken`). */
async function render(api: Record<string, unknown>, { clock = new FakeClock(), adminToken }: { clock?: FakeClock; adminToken?: string } = {}) {
  TestBed.configureTestingModule({
    imports: [ClusterComponent],
    providers: [provideRouter([]), { provide: CLOCK, useValue: clock }, { provide: ApiClient, useValue: api }],
  });
  if (adminToken) TestBed.inject(AdminSession).signIn(adminToken);
  const fixture = TestBed.createComponent(ClusterComponent);
  await flushAsync();
  await fixture.whenStable();
  return { fixture, el: fixture.nativeElement as HTMLElement };
}

describe('ClusterComponent', () => {
  beforeEach(() => sessionStorage.clear());

  it('shows servers as cards with load, badges and room links, refreshed every 2 s', async () => {
    const clock = new FakeClock();
    const cluster = jest
      .fn()
      .mockResolvedValueOnce(view(['room-1']))
      .mockResolvedValueOnce(view(['room-1', 'room-2']));
    const { fixture, el } = await render({ cluster }, { clock });

    const cards = el.querySelectorAll('li.server');
    expect(cards).toHaveLength(2);
    expect(cards[0].getAttribute('data-server-id')).toBe('sess-a');
    expect(cards[0].querySelector('.badge')?.textContent).toContain('live');
    expect(cards[1].querySelector('.badge')?.textContent).toContain('dead');
    expect(cards[0].querySelector('[role="meter"]')?.getAttribute('aria-valuenow')).toBe('1');
    expect((cards[0].querySelector('.fill') as HTMLElement).style.width).toBe('25%');
    expect(cards[0].querySelector('a')?.getAttribute('href')).toBe('/rooms/room-1');

    clock.advance(CLUSTER_REFRESH_MS);
    await flushAsync();
    await fixture.whenStable();
    expect(cluster).toHaveBeenCalledTimes(2);
    expect(el.querySelectorAll('li.server')[0].querySelectorAll('.rooms a')).toHaveLength(2);

    fixture.destroy();
    expect(clock.pendingTimers).toBe(0);
  });

  it("logs in as admin: every room without links (other people's), server addresses, and back", async () => {
    const clock = new FakeClock();
    const cluster = jest.fn((adminToken?: string | null) => Promise.resolve(adminToken ? view(['room-1', 'room-x'], 'all') : view(['room-1'])));
    const adminLogin = jest.fn().mockResolvedValueOnce({ token: 'admin-jwt' });
    const { fixture, el } = await render({ cluster, adminLogin }, { clock });
    expect(el.querySelector('.url')).toBeNull();
    expect(el.querySelector('summary')?.textContent).toContain('Admin login');

    const input = el.querySelector<HTMLInputElement>('#admin-secret')!;
    input.value = 'the-secret';
    input.dispatchEvent(new Event('input'));
    el.querySelector('form')!.dispatchEvent(new Event('submit'));
    await flushAsync();
    await fixture.whenStable();
    expect(adminLogin).toHaveBeenCalledWith('the-secret');
    expect(cluster).toHaveBeenLastCalledWith('admin-jwt');
    const card = el.querySelectorAll('li.server')[0];
    expect(card.querySelector('.url')?.textContent).toContain('ws://127.0.0.1:8001');
    expect(card.querySelectorAll('.rooms li')).toHaveLength(2);
    expect(card.querySelectorAll('.rooms a')).toHaveLength(0);

    (el.querySelector('.admin button') as HTMLButtonElement).click();
    await flushAsync();
    await fixture.whenStable();
    expect(cluster).toHaveBeenLastCalledWith(null);
    expect(el.querySelectorAll('li.server')[0].querySelectorAll('.rooms a')).toHaveLength(1);
    fixture.destroy();
  });

  it('shows the reason of a refused admin login', async () => {
    const cluster = jest.fn().mockResolvedValue(view([]));
    const adminLogin = jest.fn().mockRejectedValue(new ApiError(401, 'wrong admin secret'));
    const { fixture, el } = await render({ cluster, adminLogin });
    const input = el.querySelector<HTMLInputElement>('#admin-secret')!;
    input.value = 'nope';
    input.dispatchEvent(new Event('input'));
    el.querySelector('form')!.dispatchEvent(new Event('submit'));
    await flushAsync();
    await fixture.whenStable();
    expect(el.querySelector('.admin .error')?.textContent).toContain('wrong admin secret');
    fixture.destroy();
  });

  it('shows an operator drain and move buttons in the admin view, calling the admin API with the admin token', async () => {
    const drainServer = jest.fn().mockResolvedValue({});
    const moveRoom = jest.fn().mockResolvedValue({});
    const { fixture, el } = await render({ cluster: jest.fn().mockResolvedValue(view(['room-1'], 'all')), drainServer, moveRoom }, { adminToken: 'admin-jwt' });
    // The dead server has no drain button.
    expect(el.querySelectorAll('[data-testid="drain"]')).toHaveLength(1);
    (el.querySelector('[data-testid="drain"]') as HTMLButtonElement).click();
    await flushAsync();
    expect(drainServer).toHaveBeenCalledWith('sess-a', 'admin-jwt');
    (el.querySelector('[data-testid="move"]') as HTMLButtonElement).click();
    await flushAsync();
    await fixture.whenStable();
    expect(moveRoom).toHaveBeenCalledWith('room-1', 'admin-jwt');
    expect(el.querySelector('[data-testid="admin-notice"]')?.textContent).toContain('Moving room room-1');
    fixture.destroy();
  });

  it('shows no operator buttons outside the admin view', async () => {
    const { fixture, el } = await render({ cluster: jest.fn().mockResolvedValue(view(['room-1'])) });
    expect(el.querySelectorAll('[data-testid="drain"], [data-testid="move"]')).toHaveLength(0);
    fixture.destroy();
  });

  it('names the rooms this browser knows beside their ids', async () => {
    localStorage.setItem('chat.recentRooms', JSON.stringify([{ roomId: 'room-1', name: 'Friday standup', visitedAt: 1 }]));
    const { fixture, el } = await render({ cluster: jest.fn().mockResolvedValue(view(['room-1'])) });
    expect(el.querySelector('[data-testid="room-name"]')?.textContent).toBe('Friday standup');
    fixture.destroy();
    localStorage.clear();
  });
});
