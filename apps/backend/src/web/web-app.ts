import fastifyStatic from '@fastify/static';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BackendConfig } from '../config/backend.config';

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
export async function serveWebApp(app: NestFastifyApplication, root: string): Promise<void> {
  await app.register(fastifyStatic, { root, wildcard: false, index: false });
  const fastify = app.getHttpAdapter().getInstance();
  for (const url of WEB_APP_ROUTES) {
    fastify.get(url, (_req, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  }
}
