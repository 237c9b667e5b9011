import { randomBytes } from 'node:crypto';

/** 96 random bits as base64url: 16 URL-safe characters. */
export function newRoomId(): string {
  return randomBytes(12).toString('base64url');
}

/** Shape of any id this backend could have issued; anything else is unknown without a lookup. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
