import { randomBytes } from 'node:crypto';
import type { HeldRoom, SessionHeartbeat } from '@app/shared';
import { createSessionTestEnv, type SessionTestEnv } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';

const newRoomId = () => `room-${randomBytes(8).toString('hex')}`;

describe('session server: heartbeats of full rooms', () => {
  let env: SessionTestEnv;
  const clients: RawFrameClient[] = [];

  beforeEach(async () => {
    env = await createSessionTestEnv();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await env.dispose();
  });

  it("lists a full room's members once, then only says they are unchanged until someone leaves or joins", async () => {
    const server = await env.start({ MAX_MEMBERS: '2' });
    const room = newRoomId();
    const join = async (sub: string) => {
      const { client } = await RawFrameClient.join(server.urlFor(server.token({ sub, name: sub, room })));
      clients.push(client);
      return client;
    };
    const entry = (hb: SessionHeartbeat): HeldRoom | undefined => hb.rooms.find((r) => r.roomId === room);
    const after = async (match: (r: HeldRoom) => boolean) => {
      const from = env.backend.heartbeats.length;
      return entry(await env.backend.waitForHeartbeat((hb) => env.backend.heartbeats.indexOf(hb) >= from && !!entry(hb) && match(entry(hb)!)))!;
    };

    await join('ann');
    const bob = await join('bob');
    expect((await after((r) => r.memberIds !== undefined)).memberIds?.sort()).toEqual(['ann', 'bob']);
    // The beats after that one carry no ids: the backend keeps the list it has.
    const next = await after(() => true);
    expect(next).toMatchObject({ members: 2, membersUnchanged: true });
    expect(next.memberIds).toBeUndefined();

    bob.terminate();
    const notFull = await after((r) => r.members === 1);
    expect(notFull.memberIds).toBeUndefined();
    expect(notFull.membersUnchanged).toBeUndefined();

    await join('cy');
    expect((await after((r) => r.members === 2)).memberIds?.sort()).toEqual(['ann', 'cy']);
  });
});
