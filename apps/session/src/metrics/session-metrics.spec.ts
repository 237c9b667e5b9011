import { SessionMetric, SessionMetrics } from './session-metrics';

describe('SessionMetrics', () => {
  it('leaves out the default metrics that walk every socket of the process at each scrape', async () => {
    const metrics = new SessionMetrics();
    metrics.trackHeld({ roomCount: 3, connectionCount: 12_500 });
    const text = await metrics.registry.metrics();
    const names = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    for (const name of ['process_open_fds', 'nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_resources', 'nodejs_active_requests'])
      expect(names).not.toContain(name);
    // The cheap defaults stay, and the sockets are still counted, by the server's own gauge.
    expect(names).toContain('process_max_fds');
    expect(names).toContain('nodejs_gc_duration_seconds');
    expect(text).toMatch(new RegExp(`^${SessionMetric.Connections} 12500$`, 'm'));
  });
});
