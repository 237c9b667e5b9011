export * from './key-prefix';
export * from './redis-client';
