import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at /docs, OpenAPI JSON at /docs-json. Internal endpoints are excluded. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rooms backend')
      .setDescription(
        'Stateless backend of the stateful-routing chat: log in, create rooms, and get the WebSocket session server that owns a room. ' +
          'The WebSocket protocol of session servers is described in PROTOCOL.md.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /api/login' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
