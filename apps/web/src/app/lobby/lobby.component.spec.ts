import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { ApiClient } from '../core/api-client.service';
import { CLOCK } from '../core/clock';
import { FakeClock } from '../testing/fake-clock';
import { flushAsync } from '../testing/flush-async';
import { LobbyComponent, SUMMARY_REFRESH_MS } from './lobby.component';

describe('LobbyComponent: unread counts from room summaries', () => {
  let fixture: ComponentFixture<LobbyComponent>;
  let clock: FakeClock;
  let roomSummaries: jest.Mock;
  let el: HTMLElement;

  const summary = (roomId: string, lastSeq: number, online = 0, name: string | null = null) => ({
    roomId,
    name,
    lastSeq,
    online,
    lastActivityAt: 1_700_000_000_000 - 2000,
  });

  beforeEach(async () => {
    localStorage.clear();
    localStorage.setItem(
      'chat.recentRooms',
      JSON.stringify([
        { roomId: 'room-aaaa1', name: 'Standup', visitedAt: 1, readSeq: 4 },
        { roomId: 'room-bbbb2', visitedAt: 2 },
      ]),
    );
    clock = new FakeClock();
    roomSummaries = jest.fn();
    TestBed.configureTestingModule({
      imports: [LobbyComponent],
      providers: [provideRouter([]), { provide: CLOCK, useValue: clock }, { provide: ApiClient, useValue: { roomSummaries } }],
    });
  });

  async function render(): Promise<void> {
    fixture = TestBed.createComponent(LobbyComponent);
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    await flushAsync();
    await fixture.whenStable();
  }

  const counts = () => [...el.querySelectorAll('[data-testid="unread"]')].map((b) => b.textContent?.trim());

  it('shows unread counts, who is online and the total in the tab title, refreshing while open', async () => {
    roomSummaries.mockResolvedValue({ rooms: [summary('room-aaaa1', 7, 2, 'Standup'), summary('room-bbbb2', 1, 0, 'Joined by link')] });
    await render();
    expect(roomSummaries).toHaveBeenCalledWith(['room-aaaa1', 'room-bbbb2']);
    expect(counts()).toEqual(['3', '1']);
    expect(el.querySelector('[data-testid="online"]')?.textContent).toContain('2 online');
    // Activity a moment ago reads as such, not as a date.
    expect(el.querySelector('.when')?.textContent).toContain('just now');
    expect(TestBed.inject(Title).getTitle()).toBe('(4) Rooms');
    // A room joined by link learns its name from the summary.
    expect([...el.querySelectorAll('.room-name')].map((n) => n.textContent)).toEqual(['Standup', 'Joined by link']);

    roomSummaries.mockResolvedValue({ rooms: [summary('room-aaaa1', 9), summary('room-bbbb2', 1)] });
    clock.advance(SUMMARY_REFRESH_MS);
    await flushAsync();
    await fixture.whenStable();
    expect(counts()).toEqual(['5', '1']);
    expect(TestBed.inject(Title).getTitle()).toBe('(6) Rooms');
  });

  it('stops asking once destroyed', async () => {
    roomSummaries.mockResolvedValue({ rooms: [] });
    await render();
    fixture.destroy();
    clock.advance(SUMMARY_REFRESH_MS * 3);
    await flushAsync();
    expect(roomSummaries).toHaveBeenCalledTimes(1);
  });
});
