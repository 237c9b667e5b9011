import { requestLogLevel } from './request-log-level';

describe('requestLogLevel', () => {
  it('logs health probes at debug, ready or not', () => {
    expect(requestLogLevel('/health', 503)).toBe('debug');
    expect(requestLogLevel('/health/live', 200)).toBe('debug');
    expect(requestLogLevel('/health?x=1', 503)).toBe('debug');
  });

  it('logs server errors as errors, client errors as info, the rest at debug', () => {
    expect(requestLogLevel('/api/rooms', 503)).toBe('error');
    expect(requestLogLevel('/api/login', 400)).toBe('info');
    expect(requestLogLevel('/api/login', 201)).toBe('debug');
    expect(requestLogLevel('/healthz', 503)).toBe('error');
    expect(requestLogLevel(undefined, 500)).toBe('error');
  });
});
