import { DynamicModule, Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { BackendConfig } from '../config/backend.config';
import { backendMetricProviders } from './backend-metrics';
import { MetricsController, NoMetricsRoute } from './metrics.controller';
import { MetricsListener } from './metrics-listener';

/** Global so any feature can inject its metric without importing this module again. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: BackendConfig): DynamicModule {
    // With METRICS_PORT, MetricsListener serves /metrics on that port and PORT has no such route.
    const controller = config.METRICS_PORT === undefined ? MetricsController : NoMetricsRoute;
    return {
      module: MetricsModule,
      imports: [PrometheusModule.register({ controller, defaultMetrics: { enabled: true } })],
      providers: [...backendMetricProviders, MetricsListener],
      exports: [...backendMetricProviders, MetricsListener],
    };
  }
}
