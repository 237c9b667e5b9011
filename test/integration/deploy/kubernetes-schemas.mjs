// Validates Kubernetes objects against the API's own schemas, offline: kubernetes-models (the
// Kubernetes OpenAPI) and @kubernetes-models/gateway-api (Gateway API's CRDs), both compiled to
// validators. Run by kubernetes-manifests.test.ts as a child process: the packages are ES modules,
// which Jest's CommonJS module loader cannot require.
//
//   node kubernetes-schemas.mjs < objects.json   ->   {"problems": ["Deployment/backend: ..."]}
//
// The schemas do not forbid unknown fields (the OpenAPI has no additionalProperties: false), yet
// the API server drops them: a misspelt `readinesProbe` would apply cleanly and do nothing. So each
// object is validated through a proxy that records which fields the validator read; a field it
// never read is not in the schema.

/** The module holding the models of an apiVersion. */
function modelModule(apiVersion) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (group === 'gateway.networking.k8s.io') return `@kubernetes-models/gateway-api/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/** A deep copy of `value` behind proxies; `reads` gets, per object, the keys read and their paths. */
function tracked(value, path, objects) {
  if (value === null || typeof value !== 'object') return value;
  const read = new Set();
  const copy = Array.isArray(value)
    ? value.map((item, i) => tracked(item, `${path}[${i}]`, objects))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tracked(v, `${path}.${k}`, objects)]));
  if (!Array.isArray(value)) objects.push({ keys: Object.keys(value), read, path });
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

async function problemsOf(doc) {
  const where = `${doc.kind}/${doc.metadata?.name} (${doc.__file})`;
  let models;
  try {
    models = await import(modelModule(String(doc.apiVersion)));
  } catch {
    return [`${where}: no schema for apiVersion ${doc.apiVersion}`];
  }
  const Model = models[doc.kind];
  if (typeof Model !== 'function' || Model.apiVersion !== doc.apiVersion) return [`${where}: no kind ${doc.kind} in ${doc.apiVersion}`];
  const { __file, ...object } = doc;
  const objects = [];
  const problems = [];
  try {
    Model.prototype.validate.call(tracked(object, '', objects));
  } catch (err) {
    problems.push(`${where}: ${err.message}`);
  }
  const unknown = objects.flatMap(({ keys, read, path }) => keys.filter((key) => !read.has(key)).map((key) => `${path}.${key}`.slice(1)));
  // Only the outermost: what lies inside an unknown field was never read either.
  const outermost = unknown.filter((field) => !unknown.some((outer) => field.startsWith(`${outer}.`) || field.startsWith(`${outer}[`)));
  problems.push(...outermost.map((field) => `${where}: unknown field ${field}`));
  return problems;
}

try {
  await import('kubernetes-models');
  await import('@kubernetes-models/gateway-api');
} catch (err) {
  process.stderr.write(`the devDependencies kubernetes-models and @kubernetes-models/gateway-api are needed: ${err.message}\n`);
  process.exit(2);
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const docs = JSON.parse(input);
const problems = (await Promise.all(docs.map(problemsOf))).flat();
process.stdout.write(JSON.stringify({ problems }));
