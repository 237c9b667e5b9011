import { backendForThisFile } from '../support/test-backend';

// Display and room names: at least one visible character, no bidirectional controls, no
// zero-width characters, so "Alice" and "Alice\u200B" cannot both pass for Alice (issue 15).
const backend = backendForThisFile({ HTTP_RATE_LIMIT_PER_MIN: '10000' });

const post = async (path: string, body: unknown, token?: string) => {
  const res = await fetch(backend.base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { message: string[] | string; token?: string } };
};

it.each([
  ['Alice\u200b', /zero-width/],
  ['Al\u200dice', /zero-width/],
  ['Ali\u2060ce', /zero-width/],
  ['\u202eecilA', /bidirectional/],
  ['\u2067Alice\u2069', /bidirectional/],
  ['\u3164', /visible/],
  ['\u2800\u2800\u2800', /visible/],
  // JSON carries a lone surrogate as "\ud800"; UTF-8 (SQLite, Redis, sockets) would turn it into U+FFFD (issue 23).
  ['Ada\ud800', /^name must be well-formed Unicode: it holds a lone surrogate/],
  ['\udfffAda', /^name must be well-formed Unicode: it holds a lone surrogate/],
])('login refuses the display name %j with 400 and the rule', async (name, rule) => {
  const r = await post('/api/login', { name });
  expect(r.status).toBe(400);
  expect(r.body.message).toEqual([expect.stringMatching(rule)]);
});

it('login accepts ordinary names; a room name follows the same character rules', async () => {
  const login = await post('/api/login', { name: 'Zoë 🚀' });
  expect(login.status).toBe(201);
  const token = login.body.token!;
  for (const name of ['Design\u200breview', '\u202eweiver', '\u3164\u3164']) {
    const r = await post('/api/rooms', { name }, token);
    expect(r.status).toBe(400);
  }
});

it('a room name with a lone surrogate is refused with 400 naming the field', async () => {
  const token = (await post('/api/login', { name: 'Surrogate tester' })).body.token!;
  const r = await post('/api/rooms', { name: 'Design \ud83d review' }, token);
  expect(r.status).toBe(400);
  expect(r.body.message).toEqual([expect.stringMatching(/^name must be well-formed Unicode: it holds a lone surrogate/)]);
});
