import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A listener that only answers `GET /metrics`; `port` is the bound one (0 asks for any free port). */
export interface ScrapeListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves a registry's metrics on a port of their own (METRICS_PORT), so a cluster can expose a
 * server's main port to the world and this one only to its scrapers. Plain node:http: a scrape every
 * few seconds needs no framework, and nothing else (no docs, no API) answers here.
 */
export async function listenForScrapes(registry: Pick<Registry, 'metrics' | 'contentType'>, port: number, host: string): Promise<ScrapeListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
