import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';

/**
 * `/metrics` for Prometheus on PORT (the module sets the path) when METRICS_PORT is unset. No
 * authentication, like `/health`; keep it off the public route.
 */
@Public()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiExcludeEndpoint()
  override index(@Res({ passthrough: true }) response: FastifyReply) {
    return super.index(response);
  }
}
