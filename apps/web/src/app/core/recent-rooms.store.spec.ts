import { TestBed } from '@angular/core/testing';
import { RecentRoomsStore } from './recent-rooms.store';

describe('RecentRoomsStore', () => {
  beforeEach(() => localStorage.clear());

  it('keeps rooms newest first, once each, with their name, across instances', () => {
    const store = TestBed.inject(RecentRoomsStore);
    store.remember('aaaa1111', 1, 'Standup');
    store.remember('bbbb2222', 2);
    store.remember('aaaa1111', 3);
    expect(store.rooms()).toEqual([
      { roomId: 'aaaa1111', visitedAt: 3, name: 'Standup' },
      { roomId: 'bbbb2222', visitedAt: 2, name: undefined },
    ]);
    store.forget('bbbb2222');

    TestBed.resetTestingModule();
    expect(
      TestBed.inject(RecentRoomsStore)
        .rooms()
        .map((r) => r.roomId),
    ).toEqual(['aaaa1111']);
  });

  it('survives a corrupt entry', () => {
    localStorage.setItem('chat.recentRooms', '{not json');
    expect(TestBed.inject(RecentRoomsStore).rooms()).toEqual([]);
  });
});
