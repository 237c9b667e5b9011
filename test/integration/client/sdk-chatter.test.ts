import { FakeClock, FakeSessions, FakeTransport, flush, msg } from '@app/client/testing/fake-transport';
import { SdkChatter } from '../../support/sdk-chatter';

/**
 * The tests' SDK client must catch a server that loses or doubles messages, or the "nothing lost,
 * nothing twice" checks of the flow, fencing and chaos tests would pass on a broken server. Driven
 * here with the SDK's fake transport, frame by frame.
 */
describe('SdkChatter, the checker in the tests’ SDK client', () => {
  let transport: FakeTransport;
  let chatter: SdkChatter;

  beforeEach(async () => {
    transport = new FakeTransport();
    const env = { createWebSocket: transport.createWebSocket, clock: new FakeClock(), random: () => 0 };
    chatter = new SdkChatter('me', [], 'unused', 'room-1', { sessions: new FakeSessions(), env });
    const connected = chatter.connect();
    await flush();
    transport.last.welcome({ messages: [msg(1), msg(2), msg(3)] });
    await connected;
  });

  afterEach(() => chatter.room.close());

  /** The server closes with `code`; the SDK goes back to the backend at once and opens a socket resuming with since. */
  async function lose(code: number): Promise<void> {
    const old = transport.last;
    old.serverClose(code);
    await flush();
    expect(transport.last).not.toBe(old);
    expect(transport.last.query.get('since')).toBe('3');
  }

  it('records a clean resume as one switch and no violation', async () => {
    await lose(1012);
    transport.last.welcome({ serverId: 's2', lastSeq: 5, messages: [msg(4), msg(5)] });
    expect(chatter.violations).toEqual([]);
    expect(chatter.servers).toEqual(['s1', 's2']);
    expect(chatter.switches).toEqual([{ from: 's1', to: 's2', ms: expect.any(Number), moved: false, closeCode: 1012 }]);
    expect([...chatter.messages.keys()]).toEqual([1, 2, 3, 4, 5]);
  });

  it('flags a resume that leaves out a message it missed', async () => {
    await lose(4404);
    transport.last.welcome({ serverId: 's2', lastSeq: 5, messages: [msg(5)] });
    expect(chatter.violations).toEqual(['welcome after since=3 on s2 carried [5] with lastSeq 5']);
  });

  it('flags a resume that repeats a message already seen', async () => {
    await lose(1012);
    transport.last.welcome({ serverId: 's2', lastSeq: 4, messages: [msg(3), msg(4)] });
    expect(chatter.violations).toEqual(['welcome after since=3 on s2 carried [3,4] with lastSeq 4']);
  });

  it('flags a welcome older than what the client saw', async () => {
    await lose(1012);
    transport.last.welcome({ serverId: 's2', lastSeq: 2, messages: [] });
    expect(chatter.violations).toContain('stale welcome on s2: lastSeq 2 after this client saw seq 3');
  });

  it('flags a live message that skips a seq, and one delivered twice', () => {
    transport.last.receive('message', msg(5));
    transport.last.receive('message', msg(5));
    expect(chatter.violations).toEqual(['message seq 5 after 3', 'message seq 5 after 5']);
  });
});
