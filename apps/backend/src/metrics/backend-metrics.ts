import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';

/** Names of the backend's metrics (documented in the README). */
export const Metric = {
  Logins: 'rooms_logins_total',
  RoomsCreated: 'rooms_created_total',
  Placements: 'rooms_placements_total',
  PlacementSeconds: 'rooms_placement_duration_seconds',
  Heartbeats: 'rooms_heartbeats_total',
  ProvisionerActions: 'rooms_provisioner_actions_total',
  LiveServers: 'rooms_live_session_servers',
  PlacedRooms: 'rooms_placed_rooms',
} as const;

export const backendMetricProviders = [
  makeCounterProvider({ name: Metric.Logins, help: 'Guest logins' }),
  makeCounterProvider({ name: Metric.RoomsCreated, help: 'Rooms created' }),
  makeCounterProvider({
    name: Metric.Placements,
    help: 'Get-or-place calls by outcome (existing, placed, no_capacity, store_unavailable)',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: Metric.PlacementSeconds,
    help: 'Time to answer where a room lives, including starting a session server when needed',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 2.5, 5],
  }),
  makeCounterProvider({ name: Metric.Heartbeats, help: 'Session server heartbeats received' }),
  makeCounterProvider({ name: Metric.ProvisionerActions, help: 'Session servers started, replaced and stopped', labelNames: ['action'] }),
  makeGaugeProvider({ name: Metric.LiveServers, help: 'Live session servers at the last sweep' }),
  makeGaugeProvider({ name: Metric.PlacedRooms, help: 'Rooms placed on live servers at the last sweep' }),
];
