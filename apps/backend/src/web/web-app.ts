import fastifyStatic from '@fastify/static';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendConfig } from '../config/backend.config';
import { withRoomPreview } from './room-preview';

/** The web app's client-side routes (apps/web/src/app/app.routes.ts): each is answered with index.html. */
export const WEB_APP_ROUTES = ['/', '/login', '/cluster', '/rooms/:roomId'] as const;

/** The built web app beside this build (dist/apps/web/browser), unless WEB_ROOT says otherwise. */
export function webRoot(config: BackendConfig): string | undefined {
  const root = config.WEB_ROOT ?? join(__dirname, '..', 'web', 'browser');
  return existsSync(join(root, 'index.html')) ? root : undefined;
}

/**
 * Serves the built web app from the backend's origin: its files, and index.html for the app's own
 * routes. The routes are listed rather than caught with a wildcard, so a wrong API path still gets a
 * JSON 404 and not a page.
 */
/** Where a shared room link's preview gets the room's name. */
export interface RoomPreviewSource {
  /** The name of a live room; null when it has none, does not exist or expired. */
  previewName(roomId: string): Promise<string | null>;
}

/**
 * Serves the built web app from the backend's origin: its files, and index.html for the app's own
 * routes. The routes are listed rather than caught with a wildcard, so a wrong API path still gets a
 * JSON 404 and not a page. A named room's page carries its name in the title and Open Graph tags.
 */
export async function serveWebApp(app: NestFastifyApplication, root: string, rooms: RoomPreviewSource): Promise<void> {
  await app.register(fastifyStatic, { root, wildcard: false, index: false });
  const fastify = app.getHttpAdapter().getInstance();
  for (const url of WEB_APP_ROUTES) {
    if (url === '/rooms/:roomId') continue;
    fastify.get(url, (_req, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  }
  fastify.get<{ Params: { roomId: string } }>('/rooms/:roomId', async (req, reply) => {
    reply.header('cache-control', 'no-cache');
    // A preview is a nicety: when the directory cannot say, the page still opens, with the generic title.
    const name = await rooms.previewName(req.params.roomId).catch(() => null);
    if (!name) return reply.sendFile('index.html');
    const index = await readFile(join(root, 'index.html'), 'utf8');
    return reply.type('text/html; charset=utf-8').send(withRoomPreview(index, name));
  });
}
