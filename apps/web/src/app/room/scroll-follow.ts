/**
 * When the message list follows new messages, and when it shows "n new messages" instead.
 * Pure so the rules are tested without layout: the component feeds it scroll metrics and appends.
 */
export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

export interface FollowState {
  /** The reader is at (or near) the bottom: new messages scroll into view. */
  following: boolean;
  /** Messages that arrived while the reader was scrolled up. */
  unseen: number;
}

/** Within this many pixels of the bottom counts as "at the bottom". */
export const NEAR_BOTTOM_PX = 48;

export const INITIAL_FOLLOW: FollowState = { following: true, unseen: 0 };

export function isNearBottom(m: ScrollMetrics, threshold = NEAR_BOTTOM_PX): boolean {
  return m.scrollHeight - m.scrollTop - m.clientHeight <= threshold;
}

export function followOnScroll(state: FollowState, metrics: ScrollMetrics): FollowState {
  const following = isNearBottom(metrics);
  const unseen = following ? 0 : state.unseen;
  return following === state.following && unseen === state.unseen ? state : { following, unseen };
}

/**
 * New messages at the bottom: follow them when the reader is at the bottom or just sent one
 * (own messages always scroll into view); otherwise count them for the chip and leave the view alone.
 */
export function followOnAppend(state: FollowState, added: number, includesMine: boolean): { state: FollowState; scroll: boolean } {
  if (added <= 0) return { state, scroll: state.following };
  if (state.following || includesMine) return { state: INITIAL_FOLLOW, scroll: true };
  return { state: { following: false, unseen: state.unseen + added }, scroll: false };
}
