import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Product } from '../support/product';

// A shared room link unfurled by a chat app: the backend (as `npm start` runs it, with its session
// servers) answers GET /rooms/<id> with index.html whose title and Open Graph tags name the room,
// escaped, since a room name is user input. Unknown rooms get the generic page.
let product: Product;
let webRoot: string;
let token: string;
const INDEX = readFileSync(join(__dirname, '..', '..', '..', 'apps', 'web', 'src', 'index.html'), 'utf8');

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'web-root-'));
  writeFileSync(join(webRoot, 'index.html'), INDEX);
  product = await Product.start({ WEB_ROOT: webRoot, SESSION_MIN: '1' });
  token = (await product.login('Ada')).token;
});

afterAll(async () => {
  await product?.stop();
  rmSync(webRoot, { recursive: true, force: true });
});

async function createRoom(name?: string): Promise<string> {
  const r = await product.request<{ roomId: string }>('POST', '/api/rooms', token, name === undefined ? {} : { name });
  expect(r.status).toBe(201);
  return r.body.roomId;
}

async function page(path: string): Promise<{ status: number; type: string | null; html: string }> {
  const res = await fetch(product.url + path);
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
}

it('names the room in <title>, og:title and og:description of its link, for anyone (no login)', async () => {
  const roomId = await createRoom('Friday standup');
  const { status, type, html } = await page(`/rooms/${roomId}`);
  expect(status).toBe(200);
  expect(type).toMatch(/^text\/html/);
  expect(html).toContain('<title>Friday standup · Rooms</title>');
  expect(html).toContain('<meta property="og:title" content="Friday standup" />');
  expect(html).toContain('<meta property="og:description" content="Join “Friday standup” on Rooms" />');
  // Still the app: its root element and base are there.
  expect(html).toContain('<app-root></app-root>');
  expect(html).toContain('<base href="/" />');
});

it('escapes a room name that tries to close the title and open a script', async () => {
  const roomId = await createRoom('</title><script>alert(1)</script>');
  const { html } = await page(`/rooms/${roomId}`);
  expect(html).not.toContain('<script>alert(1)</script>');
  expect(html.match(/<title>/g)).toHaveLength(1);
  expect(html).toContain('<title>&#60;/title&#62;&#60;script&#62;alert(1)&#60;/script&#62; · Rooms</title>');
  expect(html).toContain('content="&#60;/title&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
});

it('gives an unknown room, an id of the wrong shape and an unnamed room the generic page', async () => {
  const unnamed = await createRoom();
  for (const path of ['/rooms/AAAAAAAAAAAAAAAAAAAAAA', '/rooms/Ab3_x-9', `/rooms/${unnamed}`]) {
    const { status, html } = await page(path);
    expect(status).toBe(200);
    expect(html).toBe(INDEX);
  }
});
