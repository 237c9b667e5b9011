import { TestBed } from '@angular/core/testing';
import { AuthSession, SESSION_KEY } from './auth-session';

describe('AuthSession', () => {
  beforeEach(() => localStorage.clear());

  it('keeps the identity in localStorage: a new tab (a new app) starts logged in as the same user', () => {
    TestBed.inject(AuthSession).signIn({ token: 'jwt-1', user: { id: 'u1', name: 'Ann' } });
    TestBed.resetTestingModule();
    const otherTab = TestBed.inject(AuthSession);
    expect(otherTab.isLoggedIn()).toBe(true);
    expect(otherTab.user()).toEqual({ id: 'u1', name: 'Ann' });
  });

  it("follows another tab's login and logout through the storage event", () => {
    const session = TestBed.inject(AuthSession);
    expect(session.isLoggedIn()).toBe(false);
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token: 'jwt-2', user: { id: 'u2', name: 'Bo' } }));
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_KEY }));
    expect(session.user()).toEqual({ id: 'u2', name: 'Bo' });
    localStorage.removeItem(SESSION_KEY);
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_KEY }));
    expect(session.isLoggedIn()).toBe(false);
    // Other keys are not its business.
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token: 'jwt-3', user: { id: 'u3', name: 'Cy' } }));
    window.dispatchEvent(new StorageEvent('storage', { key: 'chat.recentRooms' }));
    expect(session.isLoggedIn()).toBe(false);
  });
});
