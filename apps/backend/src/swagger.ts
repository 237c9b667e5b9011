import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { version } from '../../../package.json';

/** The OpenAPI document of the HTTP API (internal endpoints excluded); scripts/openapi-lint.mjs lints it. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rooms backend')
      .setDescription(
        'Stateless backend of the stateful-routing chat: log in, create rooms, and get the WebSocket session server that owns a room. ' +
          'The WebSocket protocol of session servers is at /docs/ws (AsyncAPI document: /docs/asyncapi.json).',
      )
      .setVersion(version)
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      // Relative: the API is on the origin that serves this document.
      .addServer('/', 'This backend')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /api/login' }, 'bearer')
      // The global guard: every route needs the access token; @Public() ones say `security: []`.
      .addSecurityRequirements('bearer')
      .build(),
  );
}

/** Swagger UI at /docs, OpenAPI JSON at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
