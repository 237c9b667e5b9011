import { listenForScrapes, type ScrapeListener } from '@app/metrics';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { SessionConfig } from '../config/session.config';
import { SessionMetrics } from './session-metrics';

/**
 * With METRICS_PORT set, `GET /metrics` is served on a listener of its own and not on PORT: PORT is
 * the WebSocket's, reached by clients through the public route; this one only by scrapers.
 */
@Injectable()
export class MetricsListener implements OnApplicationShutdown {
  private listener?: ScrapeListener;

  constructor(
    private readonly config: SessionConfig,
    private readonly metrics: SessionMetrics,
  ) {}

  /** Binds METRICS_PORT when set; resolves to the bound port, or undefined when unset. */
  async listen(): Promise<number | undefined> {
    if (this.config.METRICS_PORT === undefined) return undefined;
    this.listener = await listenForScrapes(this.metrics.registry, this.config.METRICS_PORT, this.config.HOST);
    return this.listener.port;
  }

  async onApplicationShutdown(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }
}
