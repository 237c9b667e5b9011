import { DynamicModule, Global, Module } from '@nestjs/common';
import { BackendConfig } from './backend.config';

/** Provides the one validated BackendConfig; the config is loaded in main.ts before the app is built. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: BackendConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: BackendConfig, useValue: config }], exports: [BackendConfig] };
  }
}
