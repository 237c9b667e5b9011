import { BadRequestException } from '@nestjs/common';
import { HeartbeatValidationPipe } from './heartbeat.schema';

const valid = {
  serverId: 'session-1',
  url: 'ws://127.0.0.1:8001',
  capacity: 50,
  connections: 3,
  draining: false,
  rooms: [{ roomId: 'r1', connections: 3, lastActivity: 1, epoch: 2, members: 2, lastSeq: 9, memberIds: ['u_1', 'u_2'] }],
};

function refusal(body: unknown): string {
  try {
    new HeartbeatValidationPipe().transform(body);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    return (err as BadRequestException).message;
  }
  throw new Error('taken');
}

describe('HeartbeatValidationPipe', () => {
  it('takes a valid heartbeat as it is', () => {
    expect(new HeartbeatValidationPipe().transform(valid)).toBe(valid);
  });

  it('names the field that breaks a rule', () => {
    expect(refusal({ ...valid, url: 'http://x' })).toBe('heartbeat.url must match pattern "^wss?://\\S+$"');
    expect(refusal({ ...valid, capacity: 0 })).toBe('heartbeat.capacity must be >= 1');
    expect(refusal({ ...valid, rooms: [{ ...valid.rooms[0], epoch: 0 }] })).toBe('heartbeat.rooms.0.epoch must be >= 1');
    expect(refusal({ ...valid, serverId: undefined })).toBe("heartbeat must have required property 'serverId'");
  });

  it('refuses a property the contract does not have, and a non-object', () => {
    expect(refusal({ ...valid, extra: 1 })).toBe('heartbeat has a property "extra" the contract does not have');
    expect(refusal({ ...valid, rooms: [{ ...valid.rooms[0], owner: 'me' }] })).toBe('heartbeat.rooms.0 has a property "owner" the contract does not have');
    expect(refusal('[]')).toBe('heartbeat must be object');
  });
});
