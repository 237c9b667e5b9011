import { randomBytes } from 'node:crypto';
import type { ApiParamOptions } from '@nestjs/swagger';

/** 96 random bits as base64url: 16 URL-safe characters. */
export function newRoomId(): string {
  return randomBytes(12).toString('base64url');
}

/** Shape of any id this backend could have issued; anything else is unknown without a lookup. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** The `roomId` path parameter, for the OpenAPI document. */
export const ROOM_ID_PARAM: ApiParamOptions = {
  name: 'roomId',
  description: 'The id `POST /api/rooms` returned: 16 URL-safe characters (96 random bits), the only key to the room. Ids of another shape are answered 404.',
  schema: { type: 'string', pattern: ROOM_ID_PATTERN.source, example: 'Xq3v9Lr2bT0kZpWm' },
};
