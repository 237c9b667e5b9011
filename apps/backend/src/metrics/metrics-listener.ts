import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { BackendConfig } from '../config/backend.config';

/**
 * With METRICS_PORT set, `GET /metrics` is served here, on a listener of its own, and not on PORT:
 * a cluster exposes PORT to the world and this port only to its scrapers. Plain node:http: a
 * scrape every few seconds needs no framework, and nothing else (no docs, no API) answers here.
 * The registry is prom-client's global one, as the main port's `/metrics` serves it.
 */
@Injectable()
export class MetricsListener implements OnApplicationShutdown {
  private server?: Server;

  constructor(private readonly config: BackendConfig) {}

  /** The bound port while listening (METRICS_PORT may be 0). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  /** Binds METRICS_PORT when set; resolves to the bound port, or undefined when unset. */
  async listen(): Promise<number | undefined> {
    if (this.config.METRICS_PORT === undefined) return undefined;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      register.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': register.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.METRICS_PORT, this.config.HOST, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
