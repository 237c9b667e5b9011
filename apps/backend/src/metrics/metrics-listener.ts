import { listenForScrapes, type ScrapeListener } from '@app/metrics';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { register } from 'prom-client';
import { BackendConfig } from '../config/backend.config';

/**
 * With METRICS_PORT set, `GET /metrics` is served on a listener of its own and not on PORT. The
 * registry is prom-client's global one, as the main port's `/metrics` serves it.
 */
@Injectable()
export class MetricsListener implements OnApplicationShutdown {
  private listener?: ScrapeListener;

  constructor(private readonly config: BackendConfig) {}

  /** The bound port while listening (METRICS_PORT may be 0). */
  get port(): number | undefined {
    return this.listener?.port;
  }

  /** Binds METRICS_PORT when set; resolves to the bound port, or undefined when unset. */
  async listen(): Promise<number | undefined> {
    if (this.config.METRICS_PORT === undefined) return undefined;
    this.listener = await listenForScrapes(register, this.config.METRICS_PORT, this.config.HOST);
    return this.listener.port;
  }

  async onApplicationShutdown(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }
}
