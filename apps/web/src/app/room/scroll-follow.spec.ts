import { INITIAL_FOLLOW, followOnAppend, followOnScroll, isNearBottom } from './scroll-follow';

const atBottom = { scrollTop: 800, scrollHeight: 1000, clientHeight: 200 };
const scrolledUp = { scrollTop: 100, scrollHeight: 1000, clientHeight: 200 };

describe('new messages chip logic', () => {
  it('treats a few pixels from the bottom as the bottom', () => {
    expect(isNearBottom(atBottom)).toBe(true);
    expect(isNearBottom({ ...atBottom, scrollTop: 760 })).toBe(true);
    expect(isNearBottom({ ...atBottom, scrollTop: 700 })).toBe(false);
  });

  it('follows new messages while the reader is at the bottom', () => {
    const { state, scroll } = followOnAppend(INITIAL_FOLLOW, 3, false);
    expect(scroll).toBe(true);
    expect(state.unseen).toBe(0);
  });

  it('counts new messages instead of scrolling when the reader scrolled up', () => {
    let state = followOnScroll(INITIAL_FOLLOW, scrolledUp);
    expect(state.following).toBe(false);
    let result = followOnAppend(state, 1, false);
    expect(result.scroll).toBe(false);
    result = followOnAppend(result.state, 2, false);
    expect(result.state.unseen).toBe(3);
    state = result.state;

    // Scrolling around above the bottom keeps the count; reaching the bottom clears it.
    state = followOnScroll(state, { ...scrolledUp, scrollTop: 300 });
    expect(state.unseen).toBe(3);
    state = followOnScroll(state, atBottom);
    expect(state).toEqual({ following: true, unseen: 0 });
  });

  it('always brings my own new message into view', () => {
    const up = followOnAppend(followOnScroll(INITIAL_FOLLOW, scrolledUp), 4, false).state;
    const { state, scroll } = followOnAppend(up, 1, true);
    expect(scroll).toBe(true);
    expect(state.unseen).toBe(0);
  });

  it('keeps the same state object when nothing changed (no needless re-render)', () => {
    expect(followOnScroll(INITIAL_FOLLOW, atBottom)).toBe(INITIAL_FOLLOW);
  });
});
