import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Product } from '../support/product';
import { SdkChatter } from '../../support/sdk-chatter';

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
      const client = new SdkChatter('r', [first.url], ada.token, roomId);
      await client.connect();
      for (let i = 1; i <= 3; i++) await client.say(`before restart ${i}`);
      await client.close();
    } finally {
      await first.stop();
    }

    const second = await Product.start({ DATA_DIR: dataDir, SESSION_MIN: '1' });
    try {
      const bob = await second.login('Bob');
      const client = new SdkChatter('bob', [second.url], bob.token, roomId);
      const welcome = await client.connect();
      expect(welcome.lastSeq).toBe(3);
      expect(welcome.messages.map((m) => m.text)).toEqual(['before restart 1', 'before restart 2', 'before restart 3']);
      expect((await client.room.send('after restart', { clientMsgId: 'r-4' })).seq).toBe(4);
      // A clientMsgId from before the restart is still known.
      expect((await client.room.send('before restart 1', { clientMsgId: 'r-1' })).seq).toBe(1);
      await client.close();
    } finally {
      await second.stop();
    }
  });
});
