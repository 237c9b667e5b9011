import { contractMessages, loadAsyncApiDocument } from '../../support/frame-contract';
import { backendForThisFile } from '../support/test-backend';

// The WebSocket contract served beside Swagger: /docs/asyncapi.json for machines, /docs/ws for people.
const backend = backendForThisFile({ INTERNAL_SECRET: 'test-internal-secret', JWT_SECRET: 'test-jwt-secret-0123456789' });

describe('AsyncAPI routes', () => {
  it('GET /docs/asyncapi.json answers the document of docs/asyncapi.yaml, without a token', async () => {
    const res = await fetch(`${backend.base}/docs/asyncapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(loadAsyncApiDocument())));
  });

  it('GET /docs/ws renders every message and schema as a page with no script and nothing from outside', async () => {
    const res = await fetch(`${backend.base}/docs/ws`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    for (const m of contractMessages(loadAsyncApiDocument())) {
      expect(html).toContain(`id="message-${m.key}"`);
    }
    for (const schema of ['WelcomePayload', 'Message', 'UserRef', 'ErrorPayload', 'SendPayload']) expect(html).toContain(`id="schema-${schema}"`);
    for (const query of ['token', 'since', 'rev']) expect(html).toContain(`<code>${query}</code>`);
    expect(html).toContain('4404');
    expect(html).not.toMatch(/<script|<link|\ssrc=|@import/i);
    expect(html).not.toMatch(/href="(?!#|\/)/);
  });

  it('keeps both routes out of the OpenAPI document of the HTTP API', async () => {
    const openapi = await (await fetch(`${backend.base}/docs-json`)).json();
    expect(Object.keys(openapi.paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });
});
