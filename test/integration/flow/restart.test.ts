import { Message } from '@app/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Product } from '../support/product';
import { WsTestClient } from '../support/ws-client';

// The embedded default keeps rooms (backend) and history (session servers) in DATA_DIR: a restart of
// the whole product finds every room again, with its history and its seq.
describe('a restart of the whole product (embedded default)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rooms-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps rooms, history and seq', async () => {
    const first = await Product.start({ DATA_DIR: dataDir, SESSION_MIN: '1' });
    let roomId: string;
    try {
      const ada = await first.login('Ada');
      roomId = await first.createRoom(ada.token);
      const s = await first.session(ada.token, roomId);
      const { client } = await WsTestClient.join(`${s.url}?token=${encodeURIComponent(s.token)}`);
      for (let i = 1; i <= 3; i++) await client.say(`before restart ${i}`, `r-${i}`);
      client.terminate();
    } finally {
      await first.stop();
    }

    const second = await Product.start({ DATA_DIR: dataDir, SESSION_MIN: '1' });
    try {
      const bob = await second.login('Bob');
      const s = await second.session(bob.token, roomId);
      const { client, welcome } = await WsTestClient.join(`${s.url}?token=${encodeURIComponent(s.token)}`);
      expect(welcome.lastSeq).toBe(3);
      expect(welcome.messages.map((m: Message) => m.text)).toEqual(['before restart 1', 'before restart 2', 'before restart 3']);
      expect(await client.say('after restart', 'r-4')).toBe(4);
      // A clientMsgId from before the restart is still known.
      expect(await client.say('before restart 1', 'r-1')).toBe(1);
      client.terminate();
    } finally {
      await second.stop();
    }
  });
});
