import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AsyncApiDocument } from './asyncapi-document';
import { renderAsyncApiPage } from './asyncapi-page';

export const ASYNCAPI_JSON_PATH = '/docs/asyncapi.json';
export const ASYNCAPI_PAGE_PATH = '/docs/ws';

/**
 * The WebSocket contract beside Swagger: the AsyncAPI document as JSON for machines, and a page for
 * people rendered on the server (no script, so the strict CSP holds). Plain Fastify routes, like
 * Swagger's own: public, and not part of the OpenAPI document of the HTTP API.
 */
export function serveAsyncApi(app: NestFastifyApplication, doc: AsyncApiDocument): void {
  const json = JSON.stringify(doc);
  const page = renderAsyncApiPage(doc, { jsonUrl: ASYNCAPI_JSON_PATH, openApiUrl: '/docs' });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get(ASYNCAPI_JSON_PATH, (_req, reply) => reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(json));
  fastify.get(ASYNCAPI_PAGE_PATH, (_req, reply) => reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page));
}
