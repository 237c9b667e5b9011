import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FrameErrorCode } from '@app/shared';
import type { RoomMeter } from './room-meter';

/** Names of the session server's metrics (documented in apps/session/CONFIG.md, "Metrics"). */
export const SessionMetric = {
  Rooms: 'rooms_session_rooms',
  Connections: 'rooms_session_connections',
  MessagesReceived: 'rooms_session_messages_received_total',
  MessagesDelivered: 'rooms_session_messages_delivered_total',
  FramesRejected: 'rooms_session_frames_rejected_total',
  SlowConsumerCloses: 'rooms_session_slow_consumer_closes_total',
  StoreAppendSeconds: 'rooms_session_store_append_duration_seconds',
  Heartbeats: 'rooms_session_heartbeats_total',
} as const;

/**
 * Why a client frame was refused: the protocol's `error` codes, plus what closes the socket instead
 * of answering (`ws` closes with 1009 for `frame_too_large`, 1007 for `invalid_utf8`, 1002 for any
 * other `protocol_error`; this server closes with 4429 for `flood_closed`).
 */
export const REJECT_REASONS = [...Object.values(FrameErrorCode), 'frame_too_large', 'flood_closed', 'invalid_utf8', 'protocol_error'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * prom-client's default metrics that walk every handle or file descriptor of the process when
 * scraped (`process._getActiveHandles()`, `getActiveResourcesInfo()`, a `readdir` of
 * /proc/self/fd), on the event loop. A session server holds a socket per connection: with 12,500
 * sockets one scrape blocked it ~25 ms (0.4 ms without these), every message in its rooms waiting
 * behind it, and it grows with the connections. `rooms_session_connections` counts the sockets
 * instead; `process_max_fds` stays.
 */
export const HANDLE_WALKING_METRICS = [
  'process_open_fds',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
] as const;

/** Where the rooms and connections gauges read from at scrape time (RoomsService). */
export interface HeldCounts {
  readonly roomCount: number;
  readonly connectionCount: number;
}

/** Frame rejections, counted by the ws adapter and the gateway. */
export interface FrameRejectionMeter {
  frameRejected(reason: RejectReason): void;
}

/**
 * The session server's Prometheus metrics, in a registry of its own: tests (and anything else) may
 * run several session servers in one process, and each must report only its own numbers.
 *
 * Counters on the frame path are plain numbers that the registry reads when scraped: prom-client's
 * `inc()` allocates (a labels object, a result object, a label hash) on every call, which the hot
 * path should not pay for every frame. Store latency is a real histogram: it is observed once per
 * store write (a batch), not per message.
 */
@Injectable()
export class SessionMetrics implements RoomMeter, FrameRejectionMeter {
  readonly registry = new Registry();
  private received = 0;
  private delivered = 0;
  private slowCloses = 0;
  private heartbeatsOk = 0;
  private heartbeatsFailed = 0;
  private readonly rejected: Record<RejectReason, number>;
  private held: HeldCounts | null = null;
  private readonly appendSeconds: Histogram;

  constructor() {
    const rejected = {} as Record<RejectReason, number>;
    for (const reason of REJECT_REASONS) rejected[reason] = 0;
    this.rejected = rejected;
    // prom-client calls collect() with the metric as `this`; the gauges read this service's counts.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    for (const name of HANDLE_WALKING_METRICS) this.registry.removeSingleMetric(name);

    new Gauge({
      name: SessionMetric.Rooms,
      help: 'Rooms held in memory by this server',
      registers,
      collect() {
        this.set(metrics.held?.roomCount ?? 0);
      },
    });
    new Gauge({
      name: SessionMetric.Connections,
      help: 'Open client sockets',
      registers,
      collect() {
        this.set(metrics.held?.connectionCount ?? 0);
      },
    });
    counter(
      SessionMetric.MessagesReceived,
      'Messages accepted from clients (send frames appended; repeats of a clientMsgId not counted)',
      () => metrics.received,
    );
    counter(SessionMetric.MessagesDelivered, 'message frames handed to member sockets (a broadcast to N members counts N)', () => metrics.delivered);
    counter(SessionMetric.SlowConsumerCloses, 'Sockets closed with 1013 because their send buffer passed SEND_BUFFER_LIMIT_BYTES', () => metrics.slowCloses);
    new Counter({
      name: SessionMetric.FramesRejected,
      help: 'Client frames refused, by reason: the protocol error codes, frame_too_large (1009), flood_closed (4429), invalid_utf8 (1007), protocol_error (1002)',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const reason of REJECT_REASONS) this.inc({ reason }, metrics.rejected[reason]);
      },
    });
    new Counter({
      name: SessionMetric.Heartbeats,
      help: 'Heartbeats to the backend by result (ok: answered 2xx, failed: error, timeout or non-2xx)',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        this.inc({ result: 'ok' }, metrics.heartbeatsOk);
        this.inc({ result: 'failed' }, metrics.heartbeatsFailed);
      },
    });
    this.appendSeconds = new Histogram({
      name: SessionMetric.StoreAppendSeconds,
      help: 'Time of one RoomStore append (one batch of a room), failed ones included',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });

    function counter(name: string, help: string, value: () => number): void {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    }
  }

  /** Reads rooms and connections from `source` whenever the gauges are scraped. */
  trackHeld(source: HeldCounts): void {
    this.held = source;
  }

  messageAccepted(): void {
    this.received++;
  }

  messagesDelivered(count: number): void {
    this.delivered += count;
  }

  slowConsumerClosed(): void {
    this.slowCloses++;
  }

  frameRejected(reason: RejectReason): void {
    this.rejected[reason]++;
  }

  heartbeatSent(): void {
    this.heartbeatsOk++;
  }

  heartbeatFailed(): void {
    this.heartbeatsFailed++;
  }

  storeAppended(seconds: number): void {
    this.appendSeconds.observe(seconds);
  }

  /** Rejections counted so far for `reason` (tests and diagnostics). */
  rejectedCount(reason: RejectReason): number {
    return this.rejected[reason];
  }

  get slowConsumerCloses(): number {
    return this.slowCloses;
  }
}
