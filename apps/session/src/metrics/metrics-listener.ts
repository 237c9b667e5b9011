import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SessionConfig } from '../config/session.config';
import { SessionMetrics } from './session-metrics';

/**
 * With METRICS_PORT set, `GET /metrics` is served here, on a listener of its own, and not on PORT:
 * PORT is the WebSocket's, reached by clients through the public route; this one only by scrapers.
 * Plain node:http: a scrape every few seconds needs no framework, and nothing else answers here.
 */
@Injectable()
export class MetricsListener implements OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly config: SessionConfig,
    private readonly metrics: SessionMetrics,
  ) {}

  /** Binds METRICS_PORT when set; resolves to the bound port, or undefined when unset. */
  async listen(): Promise<number | undefined> {
    if (this.config.METRICS_PORT === undefined) return undefined;
    const { registry } = this.metrics;
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
