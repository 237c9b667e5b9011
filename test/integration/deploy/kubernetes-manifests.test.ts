import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';
import { loadSessionConfig } from '../../../apps/session/src/config/load-session-config';

/**
 * Static checks of deploy/kubernetes: no cluster and no schema download, just the mistakes that
 * make a rollout fail or misroute: dangling references, selectors that select nothing, ports that
 * do not exist, env a server would refuse at start-up, a per-pod address without its route.
 */

const DIR = join(__dirname, '../../../deploy/kubernetes');
const NAMESPACE = 'rooms';
const KNOWN_KINDS: Record<string, string> = {
  Namespace: 'v1',
  Secret: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  Ingress: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
};
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
      env[v.name] = v.name.endsWith('PRIVATE_KEY')
        ? privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
        : randomBytes(32).toString('base64');
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
  it('parses every file into objects of known kinds, named and namespaced', () => {
    expect(docs.length).toBeGreaterThan(10);
    for (const d of docs) {
      expect(KNOWN_KINDS[d.kind]).toBe(d.apiVersion);
      expect(d.metadata.name).toMatch(DNS_1123);
      if (d.kind === 'Namespace') expect(d.metadata.name).toBe(NAMESPACE);
      else expect(d.metadata.namespace).toBe(NAMESPACE);
    }
    const keys = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
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
    expect(workloads().map((w) => w.metadata.name).sort()).toEqual(['backend', 'redis', 'session']);
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

  it('uses only known fields where a typo would be silently ignored', () => {
    // No schema download at test time: a short list of the fields these manifests may use, so that
    // "readinesProbe" or "containerport" fails here instead of being dropped by the API server.
    const allowed = {
      container: ['name', 'image', 'command', 'args', 'ports', 'env', 'envFrom', 'readinessProbe', 'livenessProbe', 'startupProbe', 'resources', 'securityContext', 'volumeMounts', 'imagePullPolicy', 'lifecycle'],
      podSpec: ['containers', 'initContainers', 'volumes', 'securityContext', 'terminationGracePeriodSeconds', 'topologySpreadConstraints', 'affinity', 'nodeSelector', 'tolerations', 'serviceAccountName', 'imagePullSecrets'],
      workloadSpec: ['replicas', 'selector', 'template', 'strategy', 'serviceName', 'podManagementPolicy', 'volumeClaimTemplates', 'updateStrategy', 'minReadySeconds'],
      probe: ['httpGet', 'tcpSocket', 'exec', 'initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'],
      port: ['name', 'containerPort', 'protocol'],
      servicePort: ['name', 'port', 'targetPort', 'protocol'],
      serviceSpec: ['selector', 'ports', 'clusterIP', 'publishNotReadyAddresses', 'type'],
    };
    const unknown = (obj: object, known: string[], where: string) => Object.keys(obj).filter((k) => !known.includes(k)).map((k) => `${where}: ${k}`);
    const problems: string[] = [];
    for (const w of workloads()) {
      const at = `${w.kind}/${w.metadata.name}`;
      problems.push(...unknown(w.spec, allowed.workloadSpec, at));
      problems.push(...unknown(w.spec.template.spec, allowed.podSpec, `${at} pod`));
      for (const c of containersOf(w)) {
        problems.push(...unknown(c, allowed.container, `${at} container ${c.name}`));
        for (const p of c.ports ?? []) problems.push(...unknown(p, allowed.port, `${at} port`));
        for (const probe of [c.readinessProbe, c.livenessProbe]) if (probe) problems.push(...unknown(probe, allowed.probe, `${at} probe`));
      }
    }
    for (const svc of ofKind('Service')) {
      problems.push(...unknown(svc.spec, allowed.serviceSpec, `Service/${svc.metadata.name}`));
      for (const p of svc.spec.ports) problems.push(...unknown(p, allowed.servicePort, `Service/${svc.metadata.name} port`));
    }
    expect(problems).toEqual([]);
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
    expect(backend.spec.replicas).toBeGreaterThanOrEqual(2);
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
    const rules = ofKind('Ingress').flatMap(
      (ing) => ing.spec.rules as { host: string; http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[],
    );
    for (let i = 0; i < (max ?? 0); i++) {
      const pod = `session-${i}`;
      const env = resolveEnv(containersOf(sts)[0], pod);
      const host = new URL(env.PUBLIC_URL).hostname;
      const rule = rules.find((r) => r.host === host);
      expect({ pod, host, routed: !!rule }).toEqual({ pod, host, routed: true });
      const backend = rule!.http.paths[0].backend.service;
      const svc = named('Service', backend.name)!;
      // The Service behind the host selects exactly this pod.
      expect(svc.spec.selector['statefulset.kubernetes.io/pod-name']).toBe(pod);
      expect((svc.spec.ports as { name: string }[]).map((p) => p.name)).toContain(backend.port.name);
    }
  });

  it('sends the public hosts to Services and ports that exist, under TLS', () => {
    for (const ing of ofKind('Ingress')) {
      const tlsHosts: string[] = (ing.spec.tls ?? []).flatMap((t: { hosts: string[] }) => t.hosts);
      for (const rule of ing.spec.rules as { host: string; http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[]) {
        const covered = tlsHosts.some((pattern) => tlsCovers(pattern, rule.host));
        expect({ host: rule.host, covered }).toEqual({ host: rule.host, covered: true });
        for (const path of rule.http.paths) {
          const svc = named('Service', path.backend.service.name);
          expect(svc).toBeDefined();
          expect((svc?.spec.ports as { name: string }[]).map((p) => p.name)).toContain(path.backend.service.port.name);
        }
      }
    }
  });

  it('aims autoscalers, disruption budgets and network policies at workloads that exist', () => {
    for (const hpa of ofKind('HorizontalPodAutoscaler')) {
      const target = named<Workload>(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect(target?.apiVersion).toBe(hpa.spec.scaleTargetRef.apiVersion);
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
      expect(hpa.spec.metrics.length).toBeGreaterThan(0);
    }
    for (const pdb of ofKind('PodDisruptionBudget')) expect(workloadsSelectedBy(pdb.spec.selector.matchLabels)).toHaveLength(1);
    for (const np of ofKind('NetworkPolicy')) {
      expect(workloadsSelectedBy(np.spec.podSelector.matchLabels).map((w) => w.metadata.name)).toEqual(['redis']);
      const from = np.spec.ingress.flatMap((r: { from: { podSelector: { matchLabels: Labels } }[] }) => r.from);
      const clients = from.flatMap((f: { podSelector: { matchLabels: Labels } }) => workloadsSelectedBy(f.podSelector.matchLabels).map((w) => w.metadata.name));
      expect(clients.sort()).toEqual(['backend', 'session']);
    }
  });
});

/** The flags between `node` and the entry file of a container's command. */
function nodeFlags(container: Container, entry: string): string[] {
  const command = container.command ?? [];
  expect([command[0], command.at(-1)]).toEqual(['node', entry]);
  return command.slice(1, -1);
}
