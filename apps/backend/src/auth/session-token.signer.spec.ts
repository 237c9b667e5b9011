import { SESSION_TOKEN_ALGORITHM, TokenType } from '@app/shared';
import { generateKeyPairSync } from 'node:crypto';
import { verify, type JwtPayload } from 'jsonwebtoken';
import { loadBackendConfig } from '../config/load-config';
import { SessionTokenSigner } from './session-token.signer';

describe('SessionTokenSigner', () => {
  const signer = new SessionTokenSigner(loadBackendConfig({ SESSION_TOKEN_TTL_S: '45', LOG_LEVEL: 'silent' }));
  const user = { id: 'u_1', name: 'Ada Lovelace ✓' };

  it('mints a JWT that jsonwebtoken verifies with the public key, as session servers do, with the claims and the TTL', () => {
    const before = Math.floor(Date.now() / 1000);
    const token = signer.sign(user, 'room-1', 'srv-a', 7, 'Salon «bleu»');
    const payload = verify(token, signer.publicKeyPem, { algorithms: [SESSION_TOKEN_ALGORITHM], audience: 'srv-a' }) as JwtPayload;
    expect(payload).toEqual({
      typ: TokenType.Session,
      sub: 'u_1',
      name: 'Ada Lovelace ✓',
      room: 'room-1',
      aud: 'srv-a',
      epoch: 7,
      roomName: 'Salon «bleu»',
      kind: 'chat',
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp! - payload.iat!).toBe(45);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(signer.sign(user, 'room-1', 'srv-a', 7)).not.toContain('=');
  });

  it('is refused for another server, when altered, and under another key', () => {
    const token = signer.sign(user, 'room-1', 'srv-a', 1);
    expect(() => verify(token, signer.publicKeyPem, { algorithms: ['ES256'], audience: 'srv-b' })).toThrow(/audience/);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), room: 'room-2' })).toString('base64url');
    expect(() => verify(`${header}.${forged}.${signature}`, signer.publicKeyPem, { algorithms: ['ES256'] })).toThrow(/signature/);
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => verify(token, otherKey, { algorithms: ['ES256'] })).toThrow(/signature/);
  });
});
