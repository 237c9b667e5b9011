import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ClusterView } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { AuthSession } from '../core/auth-session';
import { CLOCK } from '../core/clock';
import { FakeClock } from '../testing/fake-clock';
import { flushAsync } from '../testing/fake-socket';
import { CLUSTER_REFRESH_MS, ClusterComponent } from './cluster.component';

const view = (rooms: string[]): ClusterView => ({
  at: 5000,
  servers: [
    { id: 'sess-a', url: 'ws://127.0.0.1:8001', capacity: 4, rooms, connections: 7, draining: false, alive: true, lastHeartbeat: 4000 },
    { id: 'sess-b', url: 'ws://127.0.0.1:8002', capacity: 4, rooms: [], connections: 0, draining: false, alive: false, lastHeartbeat: 0 },
  ],
});

describe('ClusterComponent', () => {
  it('shows servers as cards with load, badges and room links, refreshed every 2 s', async () => {
    const clock = new FakeClock();
    const cluster = jest.fn().mockResolvedValueOnce(view(['room-1'])).mockResolvedValueOnce(view(['room-1', 'room-2']));
    TestBed.configureTestingModule({
      imports: [ClusterComponent],
      providers: [provideRouter([]), { provide: CLOCK, useValue: clock }, { provide: ApiClient, useValue: { cluster } }],
    });
    const fixture = TestBed.createComponent(ClusterComponent);
    await flushAsync();
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;

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

  function tokenWith(claims: Record<string, unknown>): string {
    const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;
  }

  async function render(token: string, api: Partial<ApiClient>) {
    const clock = new FakeClock();
    TestBed.configureTestingModule({
      imports: [ClusterComponent],
      providers: [
        provideRouter([]),
        { provide: CLOCK, useValue: clock },
        { provide: ApiClient, useValue: { cluster: jest.fn().mockResolvedValue(view(['room-1'])), ...api } },
        { provide: AuthSession, useValue: { token: () => token } },
      ],
    });
    const fixture = TestBed.createComponent(ClusterComponent);
    await flushAsync();
    await fixture.whenStable();
    return fixture;
  }

  it('shows an operator drain and move buttons that call the admin API', async () => {
    const drainServer = jest.fn().mockResolvedValue({});
    const moveRoom = jest.fn().mockResolvedValue({});
    const fixture = await render(tokenWith({ typ: 'access', sub: 'a', name: 'Ops', role: 'admin' }), { drainServer, moveRoom });
    const el = fixture.nativeElement as HTMLElement;
    // The dead server has no drain button.
    expect(el.querySelectorAll('[data-testid="drain"]')).toHaveLength(1);
    (el.querySelector('[data-testid="drain"]') as HTMLButtonElement).click();
    await flushAsync();
    expect(drainServer).toHaveBeenCalledWith('sess-a');
    (el.querySelector('[data-testid="move"]') as HTMLButtonElement).click();
    await flushAsync();
    await fixture.whenStable();
    expect(moveRoom).toHaveBeenCalledWith('room-1');
    expect(el.querySelector('[data-testid="admin-notice"]')?.textContent).toContain('Moving room room-1');
    fixture.destroy();
  });

  it('shows no operator buttons to other users', async () => {
    const fixture = await render(tokenWith({ typ: 'access', sub: 'u', name: 'Ann' }), {});
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelectorAll('[data-testid="drain"], [data-testid="move"]')).toHaveLength(0);
    fixture.destroy();
  });
});
