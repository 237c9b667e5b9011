import { backendForThisFile } from '../support/test-backend';

// Logging in again as the same name in the same browser keeps the user id: the browser sends the
// access token it holds, and the backend keeps that token's id when it is valid and for this name.
// A client can keep an id it was given, never choose one.
const backend = backendForThisFile({ ADMIN_SECRET: 'identity-admin-secret-0123' });

async function login(body: unknown) {
  const res = await fetch(`${backend.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { token: string; user: { id: string; name: string } } };
}

it('keeps the user id for the same name with a valid previous token, and only then', async () => {
  const first = await login({ name: 'Ada' });
  const again = await login({ name: '  Ada ', previousToken: first.body.token });
  expect(again.status).toBe(201);
  expect(again.body.user).toEqual(first.body.user);
  // The new token works in its turn.
  expect((await login({ name: 'Ada', previousToken: again.body.token })).body.user.id).toBe(first.body.user.id);

  // Another name, a forged or foreign token: a new id, no error.
  expect((await login({ name: 'Eve', previousToken: first.body.token })).body.user.id).not.toBe(first.body.user.id);
  const [head, payload, sig] = first.body.token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'u_chosen' })).toString('base64url');
  const forged = await login({ name: 'Ada', previousToken: `${head}.${forgedPayload}.${sig}` });
  expect(forged.status).toBe(201);
  expect(forged.body.user.id).not.toBe('u_chosen');
  expect(forged.body.user.id).not.toBe(first.body.user.id);
  expect((await login({ name: 'Ada', previousToken: 'not a token' })).status).toBe(201);

  // An admin token never becomes a guest identity.
  const admin = (await (
    await fetch(`${backend.base}/api/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"secret":"identity-admin-secret-0123"}',
    })
  ).json()) as { token: string };
  expect((await login({ name: 'admin', previousToken: admin.token })).body.user.id).not.toBe('admin');
});
