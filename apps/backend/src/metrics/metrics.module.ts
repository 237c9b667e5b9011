import { DynamicModule, Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { BackendConfig } from '../config/backend.config';
import { backendMetricProviders } from './backend-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';

/**
 * Built once per process, not per app: register() also starts prom-client's default metrics in its
 * global registry, and a second start throws (tests build several backends in one process).
 */
const prometheus = PrometheusModule.register({ controller: MetricsController, defaultMetrics: { enabled: true } });

/** Global so any feature can inject its metric without importing this module again. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: BackendConfig): DynamicModule {
    return {
      module: MetricsModule,
      // With METRICS_PORT, MetricsListener serves /metrics on that port and PORT has no such route.
      imports: [config.METRICS_PORT === undefined ? prometheus : { ...prometheus, controllers: [] }],
      providers: [...backendMetricProviders, MetricsListener],
      exports: [...backendMetricProviders, MetricsListener],
    };
  }
}
