import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEARTBEAT_PATH } from '@app/shared';
import { loadAll } from 'js-yaml';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';
import { WEB_APP_ROUTES } from '../../../apps/backend/src/web/web-app';
import { loadSessionConfig } from '../../../apps/session/src/config/load-session-config';

/**
 * Static checks of deploy/kubernetes, without a cluster: every object against the Kubernetes API's
 * and Gateway API's own schemas (offline, kubernetes-schemas.mjs), then the mistakes a schema cannot
 * see that make a rollout fail, misroute or expose too much: dangling references, selectors that
 * select nothing, ports that do not exist, env a server would refuse at start-up, a per-pod address
 * without its route, a public route to /metrics or /docs, a replica count that fights its autoscaler.
 */

const DIR = join(__dirname, '../../../deploy/kubernetes');
const NAMESPACE = 'rooms';
const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// Minimal shapes of what the checks read.
type Labels = Record<string, string>;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  // Untyped YAML: each check reads the fields it needs.

  spec?: any;
  stringData?: Record<string, string>;
  data?: Record<string, string>;
  __file: string;
}
interface Workload extends Doc {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels: Labels };
    template: { metadata: { labels: Labels }; spec: { containers: Container[] } };
  };
}

interface PathMatch {
  type?: 'Exact' | 'PathPrefix' | 'RegularExpression';
  value?: string;
}
interface RouteRule {
  matches?: { path?: PathMatch; headers?: unknown; queryParams?: unknown; method?: string }[];
  filters?: { type: string }[];
  backendRefs?: { name: string; port?: number; kind?: string; group?: string; namespace?: string }[];
}
interface HttpRoute extends Doc {
  spec: { parentRefs: { name: string; sectionName?: string; kind?: string; namespace?: string }[]; hostnames?: string[]; rules: RouteRule[] };
}
interface Listener {
  name: string;
  protocol: string;
  port: number;
  hostname?: string;
  tls?: { mode?: string; certificateRefs?: { kind?: string; name: string }[] };
}

const manifestFiles = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const docs: Doc[] = manifestFiles.flatMap((file) =>
  (loadAll(readFileSync(join(DIR, file), 'utf8')) as Omit<Doc, '__file'>[]).filter(Boolean).map((d) => ({ ...d, __file: file })),
);
const kustomization = loadAll(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0] as {
  namespace: string;
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
};

const ofKind = <T extends Doc = Doc>(kind: string) => docs.filter((d) => d.kind === kind) as T[];
const named = <T extends Doc = Doc>(kind: string, name: string) => ofKind<T>(kind).find((d) => d.metadata.name === name);
const workloads = () => [...ofKind<Workload>('Deployment'), ...ofKind<Workload>('StatefulSet')];
const containersOf = (w: Workload) => w.spec.template.spec.containers;
const isSubset = (small: Labels, big: Labels) => Object.entries(small).every(([k, v]) => big[k] === v);
const hpaMax = (target: string) => ofKind('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === target)?.spec.maxReplicas as number | undefined;

/** Pod label sets a workload can produce; a StatefulSet's pods also carry their pod-name label. */
function podLabelSets(w: Workload): Labels[] {
  const base = w.spec.template.metadata.labels;
  if (w.kind !== 'StatefulSet') return [base];
  const count = Math.max(w.spec.replicas ?? 1, hpaMax(w.metadata.name) ?? 0);
  return Array.from({ length: count }, (_, i) => ({ ...base, 'statefulset.kubernetes.io/pod-name': `${w.metadata.name}-${i}` }));
}
const selects = (selector: Labels, w: Workload) => podLabelSets(w).some((labels) => isSubset(selector, labels));
const workloadsSelectedBy = (selector: Labels) => workloads().filter((w) => selects(selector, w));

/** The env a container sees: values, $(VAR) expanded, pod name, secrets replaced by valid stand-ins. */
function resolveEnv(container: Container, podName: string): Record<string, string> {
  const env: Record<string, string> = {};
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (const v of container.env ?? []) {
    if (v.value !== undefined) {
      env[v.name] = v.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, ref: string) => {
        if (!(ref in env)) throw new Error(`${container.name}: ${v.name} uses $(${ref}) before it is defined`);
        return env[ref];
      });
    } else if (v.valueFrom?.fieldRef) {
      expect(v.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
      env[v.name] = podName;
    } else if (v.valueFrom?.secretKeyRef) {
      env[v.name] = v.name.endsWith('PRIVATE_KEY') ? privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() : randomBytes(32).toString('base64');
    } else {
      throw new Error(`${container.name}: env ${v.name} has no value`);
    }
  }
  return env;
}

/** A certificate name covers a host exactly or, as `*.domain`, one label under the domain. */
function tlsCovers(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1);
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('parses every file into objects that the API schemas accept, named and namespaced', () => {
    expect(docs.length).toBeGreaterThan(10);
    expect(schemaProblems(docs)).toEqual([]);
    for (const d of docs) {
      expect(d.metadata.name).toMatch(DNS_1123);
      if (d.kind === 'Namespace') expect(d.metadata.name).toBe(NAMESPACE);
      else expect(d.metadata.namespace).toBe(NAMESPACE);
    }
    const keys = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('catches, through the schemas, a misspelt field, a wrong type and an unknown kind', () => {
    // The validator itself, on broken copies: a schema check that passes everything is no check.
    const backend = named<Workload>('Deployment', 'backend')!;
    const container = containersOf(backend)[0];
    const typo = {
      ...backend,
      spec: {
        ...backend.spec,
        template: { ...backend.spec.template, spec: { ...backend.spec.template.spec, containers: [{ ...container, readinesProbe: { periodSeconds: 5 } }] } },
      },
    };
    const route = named<HttpRoute>('HTTPRoute', 'backend')!;
    const badType = { ...route, spec: { ...route.spec, rules: [{ matches: [{ path: { type: 'Prefix', value: '/' } }] }] } };
    const unknownKind = { ...route, apiVersion: 'networking.k8s.io/v1', kind: 'Ingres' };
    const problems = schemaProblems([typo, badType, unknownKind]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Deployment/backend (backend.yaml): unknown field spec.template.spec.containers[0].readinesProbe'),
        expect.stringMatching(/^HTTPRoute\/backend .*path\/type must be equal to one of the allowed values/),
        expect.stringContaining('no kind Ingres in networking.k8s.io/v1'),
      ]),
    );
  });

  it('lists every manifest in kustomization.yaml except the Secret template', () => {
    expect(kustomization.namespace).toBe(NAMESPACE);
    for (const file of kustomization.resources) expect(existsSync(join(DIR, file))).toBe(true);
    expect([...kustomization.resources].sort()).toEqual(manifestFiles.filter((f) => f !== 'secret.example.yaml').sort());
    // The Secret is created by hand: applying the template would overwrite real values.
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    const secret = named('Secret', 'rooms-secrets');
    expect(secret?.__file).toBe('secret.example.yaml');
    // Placeholders stay empty: a production server refuses an empty secret at start-up.
    expect(Object.values(secret?.stringData ?? {}).every((v) => v === '')).toBe(true);
  });

  it('gives every workload matching selectors, images, ports, probes and resources', () => {
    expect(
      workloads()
        .map((w) => w.metadata.name)
        .sort(),
    ).toEqual(['backend', 'redis', 'session']);
    const kustomizedImages = new Set((kustomization.images ?? []).filter((i) => i.newTag).map((i) => i.name));
    for (const w of workloads()) {
      expect(Object.keys(w.spec.selector.matchLabels).length).toBeGreaterThan(0);
      expect(isSubset(w.spec.selector.matchLabels, w.spec.template.metadata.labels)).toBe(true);
      for (const c of containersOf(w)) {
        const image = c.image ?? '';
        // Either pinned here, or a name that kustomization.yaml pins.
        expect(kustomizedImages.has(image) || /:[\w.-]+$/.test(image)).toBe(true);
        expect(image).not.toMatch(/:latest$/);
        expect(c.ports?.length).toBeGreaterThan(0);
        expect(c.resources?.requests).toBeDefined();
        expect(c.resources?.limits).toBeDefined();
        for (const probe of [c.readinessProbe, c.livenessProbe]) {
          expect(probe).toBeDefined();
          const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
          if (port !== undefined) expect(c.ports?.some((p) => p.name === port || p.containerPort === port)).toBe(true);
          else expect(probe?.exec?.command.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('probes the health endpoints the servers serve', () => {
    const backend = containersOf(named<Workload>('Deployment', 'backend')!)[0];
    expect(backend.readinessProbe?.httpGet?.path).toBe('/health');
    expect(backend.livenessProbe?.httpGet?.path).toBe('/health/live');
    const session = containersOf(named<Workload>('StatefulSet', 'session')!)[0];
    expect(session.readinessProbe?.httpGet?.path).toBe('/health');
    // Not /health: it is 503 while no backend answers, and that is no reason to restart a server.
    expect(session.livenessProbe?.httpGet?.path).toBe('/health/live');
  });

  it('points every Service at pods that exist, on container ports that exist', () => {
    for (const svc of ofKind('Service')) {
      const selected = workloadsSelectedBy(svc.spec.selector);
      expect({ service: svc.metadata.name, selects: selected.length }).toEqual({ service: svc.metadata.name, selects: 1 });
      const ports = containersOf(selected[0]).flatMap((c) => c.ports ?? []);
      for (const p of svc.spec.ports as { name: string; port: number; targetPort: string | number }[]) {
        expect(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)).toBe(true);
      }
    }
  });

  it('gives each StatefulSet a headless governing Service', () => {
    for (const sts of ofKind<Workload>('StatefulSet')) {
      const svc = named('Service', sts.spec.serviceName ?? '');
      expect(svc).toBeDefined();
      if (sts.metadata.name === 'session') expect(svc?.spec.clusterIP).toBe('None');
      expect(isSubset(svc?.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('references only Secret keys that exist', () => {
    const secret = named('Secret', 'rooms-secrets');
    for (const w of workloads()) {
      for (const c of containersOf(w)) {
        for (const v of c.env ?? []) {
          const ref = v.valueFrom?.secretKeyRef;
          if (!ref) continue;
          expect(named('Secret', ref.name)).toBeDefined();
          expect(Object.keys(secret?.stringData ?? {})).toContain(ref.key);
        }
      }
    }
    // The signing key stays in the backend: session servers only get the public key via heartbeats.
    const sessionEnv = containersOf(named<Workload>('StatefulSet', 'session')!)[0].env ?? [];
    expect(sessionEnv.map((v) => v.name)).not.toContain('SESSION_TOKEN_PRIVATE_KEY');
    expect(sessionEnv.map((v) => v.name)).not.toContain('JWT_SECRET');
  });

  it('sets a backend environment the backend accepts, every variable reaching its config', () => {
    const backend = named<Workload>('Deployment', 'backend')!;
    expect(ofKind('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === 'backend')?.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const env = resolveEnv(containersOf(backend)[0], 'backend-abc');
    const config = loadBackendConfig(env) as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(env)) {
      if (name === 'NODE_OPTIONS') continue; // for Node itself
      expect([name, String(config[name])]).toEqual([name, value]);
    }
    // The V8 flags `npm start` gives the backend.
    const start = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')).scripts.start as string;
    const flags = nodeFlags(containersOf(backend)[0], 'dist/apps/backend/main.js');
    expect(flags.length).toBeGreaterThan(0);
    expect(start).toContain(`node ${flags.join(' ')} dist/apps/backend/main.js`);
    expect(env.PROVISIONER).toBe('none');
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.NODE_ENV).toBe('production');
  });

  it('sets a session environment the session server accepts, with its own id and address', () => {
    const sts = named<Workload>('StatefulSet', 'session')!;
    const container = containersOf(sts)[0];
    const env = resolveEnv(container, 'session-3');
    const config = loadSessionConfig(env) as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(env)) {
      if (name === 'POD_NAME' || name === 'NODE_OPTIONS') continue; // for the pod's name and for Node itself
      expect([name, String(config[name])]).toEqual([name, value]);
    }
    // The same V8 flags the local provisioner gives its session servers by default.
    expect(nodeFlags(container, 'dist/apps/session/main.js')).toEqual(loadBackendConfig({}).SESSION_NODE_ARGS);
    expect(env.SERVER_ID).toBe('session-3');
    expect(new URL(env.PUBLIC_URL).hostname.startsWith('session-3.')).toBe(true);
    expect(env.ROOM_STORE).toBe('redis');
    expect(env.HOST).toBe('0.0.0.0');
    expect(String(config.PORT)).toBe(String(container.ports?.find((p) => p.name === 'ws')?.containerPort));
  });

  it('starts Node with flags (and any NODE_OPTIONS) that this Node accepts', () => {
    // Node refuses most V8 flags in NODE_OPTIONS ("is not allowed in NODE_OPTIONS") and exits at
    // once: a pod would crash-loop while every value above still looked right.
    for (const workload of docs.filter((d): d is Workload => d.kind === 'Deployment' || d.kind === 'StatefulSet')) {
      for (const container of containersOf(workload)) {
        if (container.command?.[0] !== 'node') continue;
        const env = resolveEnv(container, `${workload.metadata.name}-0`);
        const run = spawnSync(process.execPath, [...container.command.slice(1, -1), '-e', '0'], {
          env: { PATH: process.env.PATH, ...(env.NODE_OPTIONS ? { NODE_OPTIONS: env.NODE_OPTIONS } : {}) },
          encoding: 'utf8',
        });
        expect([workload.metadata.name, run.status, run.stderr]).toEqual([workload.metadata.name, 0, '']);
      }
    }
  });

  it('connects both servers to Redis and session servers to backends that may not be ready yet', () => {
    const redisSvc = named('Service', 'redis')!;
    const backendEnv = resolveEnv(containersOf(named<Workload>('Deployment', 'backend')!)[0], 'b');
    const sessionEnv = resolveEnv(containersOf(named<Workload>('StatefulSet', 'session')!)[0], 'session-0');
    for (const env of [backendEnv, sessionEnv]) {
      const url = new URL(env.REDIS_URL);
      expect(url.hostname).toBe('redis');
      expect((redisSvc.spec.ports as { port: number }[]).map((p) => p.port)).toContain(Number(url.port));
    }
    expect(backendEnv.REDIS_KEY_PREFIX).toBe(sessionEnv.REDIS_KEY_PREFIX);
    // A backend is ready only once a session server registered, and registration goes through this
    // Service: it must route to unready backends too.
    const heartbeatSvc = named('Service', new URL(sessionEnv.BACKEND_URL).hostname)!;
    expect(heartbeatSvc.spec.publishNotReadyAddresses).toBe(true);
    expect(workloadsSelectedBy(heartbeatSvc.spec.selector).map((w) => w.metadata.name)).toEqual(['backend']);
  });

  it('routes every session pod the autoscaler may create to its own public address', () => {
    const sts = named<Workload>('StatefulSet', 'session')!;
    const max = hpaMax('session');
    expect(max).toBeGreaterThanOrEqual(sts.spec.replicas ?? 1);
    for (let i = 0; i < (max ?? 0); i++) {
      const pod = `session-${i}`;
      const env = resolveEnv(containersOf(sts)[0], pod);
      const url = new URL(env.PUBLIC_URL);
      expect(url.protocol).toBe('wss:');
      // Where the client connects: PUBLIC_URL with ?token=..., over an HTTPS listener.
      const refs = forwardedTo(url.hostname, url.pathname, 'HTTPS');
      expect({ pod, host: url.hostname, routedTo: refs.map((r) => r.name) }).toEqual({ pod, host: url.hostname, routedTo: [expect.any(String)] });
      const svc = named('Service', refs[0].name)!;
      // The Service behind the host selects exactly this pod, on its WebSocket port.
      expect(svc.spec.selector['statefulset.kubernetes.io/pod-name']).toBe(pod);
      expect(workloadsSelectedBy(svc.spec.selector).map((w) => w.metadata.name)).toEqual(['session']);
      const port = (svc.spec.ports as { port: number; targetPort: string }[]).find((p) => p.port === refs[0].port);
      expect(port?.targetPort).toBe('ws');
    }
  });

  it('attaches every route to a Gateway listener that takes its hosts, under TLS, and sends it to Services that exist', () => {
    expect(ofKind('HTTPRoute').length).toBeGreaterThan(0);
    for (const route of ofKind<HttpRoute>('HTTPRoute')) {
      const at = `HTTPRoute/${route.metadata.name}`;
      for (const parent of route.spec.parentRefs) {
        expect([at, parent.kind ?? 'Gateway', parent.namespace ?? NAMESPACE]).toEqual([at, 'Gateway', NAMESPACE]);
        const gateway = named('Gateway', parent.name);
        expect([at, parent.name, gateway !== undefined]).toEqual([at, parent.name, true]);
        const listeners = (gateway!.spec.listeners as Listener[]).filter((l) => parent.sectionName === undefined || l.name === parent.sectionName);
        expect([at, parent.sectionName, listeners.length > 0]).toEqual([at, parent.sectionName, true]);
        for (const listener of listeners) {
          for (const host of route.spec.hostnames ?? []) {
            expect([at, host, listener.name, listenerTakes(listener, host)]).toEqual([at, host, listener.name, true]);
            if (listener.protocol !== 'HTTPS') continue;
            // The certificate must cover the host (a certificate's wildcard covers one label).
            expect(listener.tls?.certificateRefs?.length).toBeGreaterThan(0);
            const covered = tlsCovers(listener.hostname ?? '', host);
            expect({ at, host, covered }).toEqual({ at, host, covered: true });
          }
        }
      }
      for (const rule of route.spec.rules) {
        for (const ref of rule.backendRefs ?? []) {
          expect([at, ref.kind ?? 'Service', ref.group ?? '', ref.namespace ?? NAMESPACE]).toEqual([at, 'Service', '', NAMESPACE]);
          const svc = named('Service', ref.name);
          expect([at, ref.name, svc !== undefined]).toEqual([at, ref.name, true]);
          expect((svc!.spec.ports as { port: number }[]).map((p) => p.port)).toContain(ref.port);
        }
      }
    }
    // Plain HTTP only redirects to HTTPS: no route on an HTTP listener forwards anywhere.
    for (const gateway of ofKind('Gateway')) {
      for (const listener of (gateway.spec.listeners as Listener[]).filter((l) => l.protocol === 'HTTP')) {
        const rules = routesOn(gateway.metadata.name, listener.name).flatMap((r) => r.spec.rules);
        expect(rules.length).toBeGreaterThan(0);
        for (const rule of rules) {
          expect(rule.backendRefs ?? []).toEqual([]);
          expect(rule.filters?.map((f) => f.type)).toEqual(['RequestRedirect']);
        }
      }
    }
  });

  it('routes the API and the web app to the backend, and keeps /metrics, /docs and the internal endpoints off every public route', () => {
    // The web app's origin, the one browsers may open sockets from.
    const sts = named<Workload>('StatefulSet', 'session')!;
    const webHost = new URL(resolveEnv(containersOf(sts)[0], 'session-0').ALLOWED_ORIGINS).hostname;
    const publicPaths = [
      ...WEB_APP_ROUTES.map((r) => r.replace(':roomId', 'room-1')),
      '/api/login',
      '/api/rooms',
      '/api/rooms/room-1',
      '/api/cluster',
      // The web app's files, at the root under hashed names.
      '/main-2KQ3FJ7M.js',
      '/styles-HX4P3L2Q.css',
      '/favicon.ico',
    ];
    for (const path of publicPaths) {
      expect({ path, to: forwardedTo(webHost, path, 'HTTPS').map((r) => r.name) }).toEqual({ path, to: ['backend'] });
    }
    // Swagger UI (and its files), the OpenAPI document, metrics, the heartbeat endpoint, health.
    const privatePaths = [
      '/docs',
      '/docs/',
      '/docs/swagger-ui-init.js',
      '/docs-json',
      '/docs-yaml',
      '/metrics',
      '/metrics/',
      HEARTBEAT_PATH,
      '/internal',
      '/health',
      '/health/live',
    ];
    const hosts = [
      webHost,
      ...Array.from({ length: hpaMax('session') ?? 0 }, (_, i) => new URL(resolveEnv(containersOf(sts)[0], `session-${i}`).PUBLIC_URL).hostname),
    ];
    for (const host of hosts) {
      for (const protocol of ['HTTP', 'HTTPS'] as const) {
        for (const path of privatePaths) {
          expect({ host, protocol, path, to: forwardedTo(host, path, protocol) }).toEqual({ host, protocol, path, to: [] });
        }
      }
    }
  });

  it('serves metrics on a port of their own that no Service names, and tells Prometheus where', () => {
    const servicePorts = ofKind('Service').flatMap((svc) =>
      (svc.spec.ports as { targetPort: string | number }[]).map((p) => ({ svc: svc.metadata.name, target: p.targetPort })),
    );
    for (const [kind, name] of [
      ['Deployment', 'backend'],
      ['StatefulSet', 'session'],
    ] as const) {
      const w = named<Workload>(kind, name)!;
      const container = containersOf(w)[0];
      const env = resolveEnv(container, `${name}-0`);
      const metricsPort = container.ports?.find((p) => p.name === 'metrics');
      expect([name, env.METRICS_PORT]).toEqual([name, String(metricsPort?.containerPort)]);
      expect(env.METRICS_PORT).not.toBe(env.PORT);
      // No Service, so no route, reaches it; Prometheus scrapes the pods.
      const exposing = servicePorts.filter((p) => p.target === 'metrics' || p.target === metricsPort?.containerPort);
      expect([name, exposing]).toEqual([name, []]);
      const annotations = (w.spec.template.metadata as { annotations?: Record<string, string> }).annotations ?? {};
      expect([name, annotations['prometheus.io/scrape'], annotations['prometheus.io/port'], annotations['prometheus.io/path']]).toEqual([
        name,
        'true',
        env.METRICS_PORT,
        '/metrics',
      ]);
    }
  });

  it('leaves the replica count of every autoscaled workload to its autoscaler', () => {
    // A count in the manifest would reset the autoscaler's choice on every `kubectl apply`.
    const targets = ofKind('HorizontalPodAutoscaler').map((h) => named<Workload>(h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name)!);
    expect(targets.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual(['Deployment/backend', 'StatefulSet/session']);
    for (const w of targets) expect([w.metadata.name, w.spec.replicas]).toEqual([w.metadata.name, undefined]);
  });

  it('aims autoscalers, disruption budgets and network policies at workloads that exist', () => {
    for (const hpa of ofKind('HorizontalPodAutoscaler')) {
      const target = named<Workload>(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect(target?.apiVersion).toBe(hpa.spec.scaleTargetRef.apiVersion);
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
      expect(hpa.spec.metrics.length).toBeGreaterThan(0);
    }
    for (const pdb of ofKind('PodDisruptionBudget')) expect(workloadsSelectedBy(pdb.spec.selector.matchLabels)).toHaveLength(1);
    const policies = ofKind('NetworkPolicy');
    const redisPolicies = policies.filter((np) => workloadsSelectedBy(np.spec.podSelector.matchLabels).some((w) => w.metadata.name === 'redis'));
    expect(redisPolicies).toHaveLength(1);
    for (const np of redisPolicies) {
      expect(workloadsSelectedBy(np.spec.podSelector.matchLabels).map((w) => w.metadata.name)).toEqual(['redis']);
      const from = np.spec.ingress.flatMap((r: { from: { podSelector: { matchLabels: Labels } }[] }) => r.from);
      const clients = from.flatMap((f: { podSelector: { matchLabels: Labels } }) => workloadsSelectedBy(f.podSelector.matchLabels).map((w) => w.metadata.name));
      expect(clients.sort()).toEqual(['backend', 'session']);
    }
  });

  it("serves heartbeats on the backends' internal port only: its own Service, no route, session pods alone may reach it", () => {
    const backend = named<Workload>('Deployment', 'backend')!;
    const container = containersOf(backend)[0];
    const env = resolveEnv(container, 'backend-0');
    const internal = container.ports?.find((p) => p.name === 'internal');
    expect(env.INTERNAL_PORT).toBe(String(internal?.containerPort));
    expect(env.INTERNAL_PORT).not.toBe(env.PORT);
    expect(env.INTERNAL_HOST).toBe('0.0.0.0');
    // Session servers heartbeat to a Service that targets that port, and only that port.
    const sessionEnv = resolveEnv(containersOf(named<Workload>('StatefulSet', 'session')!)[0], 'session-0');
    const heartbeatSvc = named('Service', new URL(sessionEnv.BACKEND_URL).hostname)!;
    expect((heartbeatSvc.spec.ports as { targetPort: string }[]).map((p) => p.targetPort)).toEqual(['internal']);
    // No other Service names the port, and no HTTPRoute names this Service.
    const exposing = ofKind('Service')
      .filter((svc) =>
        (svc.spec.ports as { targetPort: string | number }[]).some((p) => p.targetPort === 'internal' || p.targetPort === internal?.containerPort),
      )
      .map((svc) => svc.metadata.name);
    expect(exposing).toEqual([heartbeatSvc.metadata.name]);
    const routed = ofKind<HttpRoute>('HTTPRoute').flatMap((r) => r.spec.rules.flatMap((rule) => (rule.backendRefs ?? []).map((ref) => ref.name)));
    expect(routed).not.toContain(heartbeatSvc.metadata.name);
    // The backends' policy: the internal port from session pods only; every other rule leaves it out.
    const [policy] = ofKind('NetworkPolicy').filter((np) => workloadsSelectedBy(np.spec.podSelector.matchLabels).some((w) => w.metadata.name === 'backend'));
    expect(policy?.spec.policyTypes).toEqual(['Ingress']);
    type Rule = { from?: { podSelector: { matchLabels: Labels } }[]; ports?: { port: string | number }[] };
    const rules = policy.spec.ingress as Rule[];
    const opens = (r: Rule, port: string | number) => (r.ports ?? []).some((p) => p.port === port);
    const internalRules = rules.filter((r) => !r.ports || opens(r, 'internal') || opens(r, Number(env.INTERNAL_PORT)));
    expect(internalRules).toHaveLength(1);
    const sources = (internalRules[0].from ?? []).flatMap((f) => workloadsSelectedBy(f.podSelector.matchLabels).map((w) => w.metadata.name));
    expect(sources).toEqual(['session']);
    // The public and metrics ports stay open as before.
    expect(rules.some((r) => opens(r, 'http'))).toBe(true);
    expect(rules.some((r) => opens(r, 'metrics'))).toBe(true);
  });
});

/** The flags between `node` and the entry file of a container's command. */
function nodeFlags(container: Container, entry: string): string[] {
  const command = container.command ?? [];
  expect([command[0], command.at(-1)]).toEqual(['node', entry]);
  return command.slice(1, -1);
}

/** Problems the API schemas find in these objects (see kubernetes-schemas.mjs); empty when they all validate. */
function schemaProblems(objects: object[]): string[] {
  const run = spawnSync(process.execPath, [join(__dirname, 'kubernetes-schemas.mjs')], { input: JSON.stringify(objects), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubernetes-schemas.mjs failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { problems: string[] }).problems;
}

/** Gateway API's listener hostname rule: exact, or `*.domain` for any name (of one or more labels) under it; none = any. */
function listenerTakes(listener: Listener, host: string): boolean {
  if (!listener.hostname) return true;
  if (listener.hostname.startsWith('*.')) return host.endsWith(listener.hostname.slice(1));
  return listener.hostname === host;
}

/** HTTPRoutes attached to one listener of a Gateway. */
function routesOn(gateway: string, listener: string): HttpRoute[] {
  return ofKind<HttpRoute>('HTTPRoute').filter((r) =>
    r.spec.parentRefs.some((p) => p.name === gateway && (p.sectionName === undefined || p.sectionName === listener)),
  );
}

/** A route's hostname (exact or `*.domain`) matches a request's host; a route without hostnames takes every host. */
function routeTakes(route: HttpRoute, host: string): boolean {
  const names = route.spec.hostnames ?? [];
  return names.length === 0 || names.some((n) => (n.startsWith('*.') ? host.endsWith(n.slice(1)) : n === host));
}

/**
 * Where the Gateways send a GET of `path` on `host` over listeners of `protocol`: the backendRefs of
 * the winning rule (none when no rule matches, or when it only redirects or forwards nowhere).
 * Gateway API's precedence among the rules of all routes on a listener: an Exact path over a prefix,
 * then the longest prefix. Only path matches are modelled, so any other kind of match fails here.
 */
function forwardedTo(host: string, path: string, protocol: 'HTTP' | 'HTTPS'): NonNullable<RouteRule['backendRefs']> {
  const forwarded: NonNullable<RouteRule['backendRefs']> = [];
  for (const gateway of ofKind('Gateway')) {
    for (const listener of (gateway.spec.listeners as Listener[]).filter((l) => l.protocol === protocol && listenerTakes(l, host))) {
      let best: { rule: RouteRule; rank: number } | undefined;
      for (const route of routesOn(gateway.metadata.name, listener.name).filter((r) => routeTakes(r, host))) {
        for (const rule of route.spec.rules) {
          for (const match of rule.matches ?? [{}]) {
            expect(Object.keys(match).filter((k) => k !== 'path')).toEqual([]);
            const rank = pathRank(match.path ?? { type: 'PathPrefix', value: '/' }, path);
            if (rank !== undefined && (!best || rank > best.rank)) best = { rule, rank };
          }
        }
      }
      forwarded.push(...(best?.rule.backendRefs ?? []));
    }
  }
  return forwarded;
}

/** How specific a path match is for `path` (higher wins), or undefined when it does not match. */
function pathRank(match: PathMatch, path: string): number | undefined {
  const value = match.value ?? '/';
  if (match.type === 'Exact') return path === value ? Number.MAX_SAFE_INTEGER : undefined;
  expect(match.type ?? 'PathPrefix').toBe('PathPrefix');
  // A prefix matches whole segments: /docs matches /docs and /docs/x, not /docs-json.
  const prefix = value.replace(/\/+$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`) ? prefix.length : undefined;
}
