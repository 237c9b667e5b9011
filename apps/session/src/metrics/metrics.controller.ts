import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SessionMetrics } from './session-metrics';

/**
 * `GET /metrics` in the Prometheus text format, on the same port as the WebSocket, unless
 * METRICS_PORT moves it to a port of its own (MetricsListener). Without authentication, like
 * `/health`: it holds counts, no room ids or user data; keep it off the public route.
 * (Not @willsoto/nestjs-prometheus's controller as in the backend: that one serves prom-client's
 * global registry, and this server keeps a registry per instance, see SessionMetrics.)
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: SessionMetrics) {}

  @Get()
  async index(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.header('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
