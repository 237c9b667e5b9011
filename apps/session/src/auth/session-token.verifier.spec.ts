import { JwtService } from '@nestjs/jwt';
import { generateKeyPairSync } from 'node:crypto';
import { SessionTokenVerifier } from './session-token.verifier';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('SessionTokenVerifier', () => {
  const keys = keyPair();
  const jwt = new JwtService();
  const now = 1_800_000_000;
  const sign = (claims: Record<string, unknown>, privatePem = keys.privatePem) => {
    const payload: Record<string, unknown> = {
      typ: 'session',
      sub: 'u1',
      name: 'Ann',
      room: 'room-12345678',
      aud: 'srv-a',
      epoch: 4,
      exp: now + 60,
      ...claims,
    };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    return jwt.sign(payload, { privateKey: privatePem, algorithm: 'ES256' });
  };
  const verifier = () => new SessionTokenVerifier('srv-a', keys.publicPem, () => now);

  it('accepts a valid session token and returns its claims', () => {
    expect(verifier().verify(sign({}))).toEqual({
      ok: true,
      claims: { typ: 'session', sub: 'u1', name: 'Ann', room: 'room-12345678', aud: 'srv-a', epoch: 4, roomName: null, kind: 'chat' },
    });
  });

  it('takes the kind claim (version 3): board as given, none as chat, an unknown one refused', () => {
    const v = verifier();
    const board = v.verify(sign({ kind: 'board' }));
    expect(board.ok && board.claims.kind).toBe('board');
    const old = v.verify(sign({ kind: undefined }));
    expect(old.ok && old.claims.kind).toBe('chat');
    expect(v.verify(sign({ kind: 'poll' }))).toEqual({ ok: false, reason: 'claim kind unknown' });
    expect(v.verify(sign({ kind: 7 })).ok).toBe(false);
  });

  it.each([
    ['an expired token', { exp: now - 1 }],
    ['a token for another server', { aud: 'srv-b' }],
    ['an access token', { typ: 'access' }],
    ['a token without room', { room: undefined }],
    ['a token with an empty subject', { sub: '' }],
    ['a token without expiry', { exp: undefined }],
    ['a token without epoch', { epoch: undefined }],
    ['a token with epoch 0', { epoch: 0 }],
    ['a token with a fractional epoch', { epoch: 1.5 }],
    ['a token with a string epoch', { epoch: '3' }],
  ])('refuses %s', (_label, claims) => {
    const check = verifier().verify(sign(claims));
    expect(check.ok).toBe(false);
  });

  it('refuses a token signed by another key, an HS256 token and garbage', () => {
    const v = verifier();
    expect(v.verify(sign({}, keyPair().privatePem)).ok).toBe(false);
    const hs = jwt.sign({ typ: 'session', sub: 'u', name: 'n', room: 'r', aud: 'srv-a' }, { secret: 'x'.repeat(32) });
    expect(v.verify(hs).ok).toBe(false);
    expect(v.verify('not.a.jwt').ok).toBe(false);
    expect(v.verify('').ok).toBe(false);
  });

  it('checks nbf and takes aud as an array, as jsonwebtoken did', () => {
    const v = verifier();
    expect(v.verify(sign({ nbf: now + 5 })).ok).toBe(false);
    expect(v.verify(sign({ nbf: now })).ok).toBe(true);
    expect(v.verify(sign({ aud: ['srv-x', 'srv-a'] })).ok).toBe(true);
    expect(v.verify(sign({ aud: ['srv-x'] })).ok).toBe(false);
    expect(v.verify(sign({ exp: now })).ok).toBe(false);
  });

  it('refuses unsigned, tampered and re-headed tokens', () => {
    const v = verifier();
    const [h, p, s] = sign({}).split('.');
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect(v.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.`).ok).toBe(false);
    expect(v.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.${s}`).ok).toBe(false);
    expect(v.verify(`${h}.${b64({ typ: 'session', sub: 'u2', name: 'Bob', room: 'room-12345678', aud: 'srv-a', exp: now + 60 })}.${s}`).ok).toBe(false);
    expect(v.verify(`${h}.${p}.${s.slice(0, -4)}`).ok).toBe(false);
    expect(v.verify(`${h}.${p}.${s}`).ok).toBe(true);
  });

  it('refuses every token when the key is not on P-256 (ES256)', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const v = new SessionTokenVerifier('srv-a', p384.publicKey.export({ type: 'spki', format: 'pem' }).toString(), () => now);
    expect(v.verify(sign({})).ok).toBe(false);
  });

  it('has no key until one is configured or offered by a heartbeat', () => {
    const v = new SessionTokenVerifier('srv-a', undefined, () => now);
    expect(v.ready).toBe(false);
    expect(v.verify(sign({}))).toEqual({ ok: false, reason: 'no verification key yet' });
    expect(v.offerKey(keys.publicPem)).toBe(true);
    expect(v.offerKey(keys.publicPem)).toBe(false);
    expect(v.ready).toBe(true);
    expect(v.verify(sign({})).ok).toBe(true);
  });

  it('keeps a key from the environment over keys from heartbeats', () => {
    const v = verifier();
    expect(v.offerKey(keyPair().publicPem)).toBe(false);
    expect(v.verify(sign({})).ok).toBe(true);
  });

  it('refuses a key that is not an EC public key at once', () => {
    expect(() => new SessionTokenVerifier('s', 'not a pem')).toThrow();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => new SessionTokenVerifier('s', rsa.toString())).toThrow(/EC/);
  });
});
