import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { backendMetricProviders } from './backend-metrics';
import { MetricsController } from './metrics.controller';

/** Global so any feature can inject its metric without importing this module again. */
@Global()
@Module({
  imports: [PrometheusModule.register({ controller: MetricsController, defaultMetrics: { enabled: true } })],
  providers: backendMetricProviders,
  exports: backendMetricProviders,
})
export class MetricsModule {}
