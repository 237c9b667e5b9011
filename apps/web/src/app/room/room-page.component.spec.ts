import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ApiClient } from '../core/api-client.service';
import { ApiError } from '../core/api-error';
import { ClipboardService } from '../core/clipboard.service';
import { CLOCK } from '../core/clock';
import { ShareService } from '../core/share.service';
import { WEBSOCKET_FACTORY } from '../core/websocket-factory';
import { FakeClock } from '../testing/fake-clock';
import { FakeTransport } from '@app/client/testing/fake-transport';
import { flushAsync } from '../testing/flush-async';
import { RoomConnection } from './room-connection.service';
import { RoomPageComponent } from './room-page.component';

describe('RoomPageComponent', () => {
  let fixture: ComponentFixture<RoomPageComponent>;
  let sockets: FakeTransport;
  let roomSession: jest.Mock;
  let copy: jest.Mock;
  let share: jest.Mock;
  let el: HTMLElement;

  beforeEach(() => {
    localStorage.clear();
    sockets = new FakeTransport();
    roomSession = jest.fn();
    copy = jest.fn().mockResolvedValue(true);
    share = jest.fn().mockResolvedValue('unsupported');
    TestBed.configureTestingModule({
      imports: [RoomPageComponent],
      providers: [
        provideRouter([]),
        { provide: CLOCK, useValue: new FakeClock() },
        { provide: WEBSOCKET_FACTORY, useValue: sockets.createWebSocket },
        { provide: ApiClient, useValue: { roomSession } },
        { provide: ClipboardService, useValue: { copy } },
        { provide: ShareService, useValue: { share } },
      ],
    });
  });

  async function open(roomId: string): Promise<void> {
    fixture = TestBed.createComponent(RoomPageComponent);
    fixture.componentRef.setInput('roomId', roomId);
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    await flushAsync();
    await fixture.whenStable();
  }

  /** Opens a room named "Friday standup" and welcomes Bo into it. */
  async function openNamed(): Promise<void> {
    roomSession.mockResolvedValue({ roomId: 'abcd1234', name: 'Friday standup', url: 'ws://127.0.0.1:9/', token: 't', serverId: 'session-a', epoch: 1 });
    await open('abcd1234');
    sockets.last.open();
    sockets.last.receive('welcome', {
      roomId: 'abcd1234',
      serverId: 'session-a',
      name: 'Friday standup',
      you: { id: 'u2', name: 'Bo' },
      members: [{ id: 'u2', name: 'Bo' }],
      messages: [],
      lastSeq: 0,
      epoch: 1,
      limits: { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 },
    });
    await fixture.whenStable();
  }

  it('says so when the room does not exist', async () => {
    roomSession.mockRejectedValue(new ApiError(404, 'Room not found'));
    await open('nope1234');
    expect(el.querySelector('[data-testid="room-not-found"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="connection-state"]')?.textContent).toContain('Room not found or expired');
    expect(el.querySelector('textarea')).toBeNull();
  });

  it('shows the room live with members and server, copies the share link, and leaves on destroy', async () => {
    roomSession.mockResolvedValue({ roomId: 'abcd1234', name: null, url: 'ws://127.0.0.1:9/', token: 't', serverId: 'session-a', epoch: 1 });
    await open('abcd1234');
    const socket = sockets.last;
    socket.open();
    socket.receive('welcome', {
      roomId: 'abcd1234',
      serverId: 'session-a',
      you: { id: 'u1', name: 'Ann' },
      members: [
        { id: 'u1', name: 'Ann' },
        { id: 'u2', name: 'Bo' },
      ],
      messages: [],
      lastSeq: 0,
      epoch: 1,
      limits: { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 },
    });
    socket.receive('typing', { user: { id: 'u2', name: 'Bo' } });
    await fixture.whenStable();

    expect(el.querySelector('[data-testid="connection-state"]')?.getAttribute('data-state')).toBe('live');
    expect(el.querySelector('[data-testid="server-id"]')?.textContent).toContain('session-a');
    expect([...el.querySelectorAll('[data-testid="members"] .name')].map((n) => n.textContent)).toEqual(['Ann', 'Bo']);
    expect(el.querySelector('[data-testid="typing"]')?.textContent).toContain('Bo is typing…');

    (el.querySelector('[data-testid="share"]') as HTMLButtonElement).click();
    await flushAsync();
    await fixture.whenStable();
    expect(copy).toHaveBeenCalledWith('http://localhost/rooms/abcd1234');
    expect(el.querySelector('[data-testid="share"]')?.textContent).toContain('Link copied');

    fixture.destroy();
    expect(TestBed.inject(RoomConnection).status()).toBe('idle');
    expect(socket.closedWith?.code).toBe(1000);
  });

  it('names the room from welcome in the heading, the tab title and the recent rooms (whoever joined by link)', async () => {
    await openNamed();
    expect(el.querySelector('h1')?.textContent).toContain('Friday standup');
    expect(document.title).toBe('Friday standup · Rooms');
    expect(JSON.parse(localStorage.getItem('chat.recentRooms') ?? '[]')).toEqual([expect.objectContaining({ roomId: 'abcd1234', name: 'Friday standup' })]);
    fixture.destroy();
  });

  describe('sharing the link', () => {
    const button = () => el.querySelector('[data-testid="share"]') as HTMLButtonElement;
    async function click(): Promise<void> {
      button().click();
      await flushAsync();
      await fixture.whenStable();
    }

    it('names the room on the share control and opens the system share sheet titled with it', async () => {
      share.mockResolvedValue('shared');
      await openNamed();
      expect(button().textContent?.trim()).toBe('Share “Friday standup”');
      await click();
      expect(share).toHaveBeenCalledWith({ title: 'Friday standup', text: 'Join “Friday standup”', url: 'http://localhost/rooms/abcd1234' });
      expect(copy).not.toHaveBeenCalled();
      expect(button().textContent).toContain('Shared ✓');
      fixture.destroy();
    });

    it('copies the link where there is no share sheet, and names the room in the fallback when copying fails', async () => {
      copy.mockResolvedValue(false);
      await openNamed();
      await click();
      expect(copy).toHaveBeenCalledWith('http://localhost/rooms/abcd1234');
      const fallback = el.querySelector('[data-testid="share-fallback"]');
      expect(fallback?.textContent).toContain('Copy this link to “Friday standup”:');
      expect((fallback?.querySelector('input') as HTMLInputElement).value).toBe('http://localhost/rooms/abcd1234');
      fixture.destroy();
    });

    it('does nothing more when the person closes the share sheet', async () => {
      share.mockResolvedValue('cancelled');
      await openNamed();
      await click();
      expect(copy).not.toHaveBeenCalled();
      expect(button().textContent?.trim()).toBe('Share “Friday standup”');
      fixture.destroy();
    });
  });

  it('sends read for the newest message shown, at most once a second, from the marker welcome gave', async () => {
    roomSession.mockResolvedValue({ roomId: 'abcd1234', name: null, url: 'ws://127.0.0.1:9/', token: 't', serverId: 'session-a', epoch: 1 });
    await open('abcd1234');
    const socket = sockets.last;
    socket.open();
    const msg = (seq: number) => ({ seq, id: `m${seq}`, userId: 'u1', name: 'Ann', text: `t${seq}`, ts: seq, rev: seq });
    socket.receive('welcome', {
      roomId: 'abcd1234',
      serverId: 'session-a',
      you: { id: 'u2', name: 'Bo' },
      members: [{ id: 'u2', name: 'Bo' }],
      messages: [msg(1), msg(2)],
      lastSeq: 2,
      epoch: 1,
      readSeq: 1,
      limits: { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 },
    });
    await fixture.whenStable();
    const clock = TestBed.inject(CLOCK) as FakeClock;
    const reads = () => socket.sent.filter((f) => f.event === 'read').map((f) => f.data);
    clock.advance(0);
    expect(reads()).toEqual([{ seq: 2 }]);
    socket.receive('message', msg(3));
    await fixture.whenStable();
    clock.advance(500);
    expect(reads()).toEqual([{ seq: 2 }]);
    clock.advance(500);
    expect(reads()).toEqual([{ seq: 2 }, { seq: 3 }]);

    // Leaving while a read waits for its second sends it at once and keeps it for the lobby's count.
    socket.receive('message', msg(4));
    await fixture.whenStable();
    clock.advance(100);
    expect(reads()).toEqual([{ seq: 2 }, { seq: 3 }]);
    fixture.destroy();
    expect(reads()).toEqual([{ seq: 2 }, { seq: 3 }, { seq: 4 }]);
    expect(JSON.parse(localStorage.getItem('chat.recentRooms') ?? '[]')).toEqual([expect.objectContaining({ roomId: 'abcd1234', readSeq: 4 })]);
  });

  it('never says "Seen by Alice" on my message when it was the other Alice who read it', async () => {
    roomSession.mockResolvedValue({ roomId: 'abcd1234', name: null, url: 'ws://127.0.0.1:9/', token: 't', serverId: 'session-a', epoch: 1 });
    await open('abcd1234');
    const socket = sockets.last;
    socket.open();
    const alices = [
      { id: 'u-mine-AAAA', name: 'Alice' },
      { id: 'u-other-BBBB', name: 'Alice' },
    ];
    socket.receive('welcome', {
      roomId: 'abcd1234',
      serverId: 'session-a',
      you: alices[0],
      members: alices,
      messages: [{ seq: 1, id: 'm1', userId: 'u-mine-AAAA', name: 'Alice', text: 'hi', ts: 1, rev: 1 }],
      lastSeq: 1,
      epoch: 1,
      limits: { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 },
    });
    socket.receive('read', { userId: 'u-other-BBBB', seq: 1 });
    await fixture.whenStable();
    expect(el.querySelector('[data-testid="seen-by"]')?.textContent?.trim()).toBe('Seen by Alice ·BBBB');
    expect([...el.querySelectorAll('[data-testid="members"] .name')].map((n) => n.textContent?.trim())).toEqual(['Alice ·AAAA', 'Alice ·BBBB']);
  });
});
