export * from './env-config';
export * from './dev-secrets';
