import fc from 'fast-check';
import { type AsyncApiDocument, type Direction, contractMessages, loadAsyncApiDocument, resolveRef } from './frame-contract';

/**
 * fast-check arbitraries of the frames docs/asyncapi.yaml describes, for property tests of the SDK
 * and the session server. Written here rather than taken from a package: the one package that turns
 * JSON Schema into arbitraries (json-schema-fast-check, 0.0.x) is not kept up, and none mixes in the
 * strings that break things (`__proto__`, lone surrogates, huge integers), which is the point. Only
 * the keywords the document uses are read; an unknown one throws, so the document cannot outgrow
 * the generator unnoticed.
 */

/** Names that are also members of Object.prototype, and ones that have broken parsers before. */
export const AWKWARD_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'then'] as const;

/** Strings a person or an attacker can put in any text field. */
export const awkwardString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom<string>(...AWKWARD_NAMES) },
  // Lone surrogates, pairs, controls, invisible and right-to-left characters.
  { weight: 2, arbitrary: fc.constantFrom('\ud800', 'a\udfff', '\udc00\ud800', '😀', '👍🏽', '\u0000', '\u202e', '\u200b', '\ufeff', ' ', 'x'.repeat(300)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

/** Integers from `min` to `max`, often at their edges and far beyond any real seq. */
function awkwardInteger(min: number, max: number): fc.Arbitrary<number> {
  const edges = [min, min + 1, max, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21, Number.MAX_VALUE].filter((n) => n >= min && n <= max);
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
}

type Schema = Record<string, any>;

const KNOWN_KEYWORDS = new Set([
  '$ref',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'maxProperties',
  'items',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'default',
  'description',
  'anyOf',
]);

/** `value` with own data properties, so that a key named `__proto__` is a key, not the prototype. */
function objectOf(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function clampLength(s: string, min: number | undefined, max: number | undefined): string {
  let points = [...s];
  if (max !== undefined && points.length > max) points = points.slice(0, max);
  while (min !== undefined && points.length < min) points.push('x');
  return points.join('');
}

/** Fields a later version might add: a client must ignore them. */
const unknownFields: fc.Arbitrary<Array<[string, unknown]>> = fc.array(
  fc.tuple(fc.oneof(awkwardString, fc.constantFrom<string>(...AWKWARD_NAMES)), fc.jsonValue({ maxDepth: 2 })),
  {
    maxLength: 2,
  },
);

/** An arbitrary of the values `schema` (of `doc`) allows. */
export function schemaArbitrary(doc: AsyncApiDocument, schema: Schema): fc.Arbitrary<unknown> {
  for (const key of Object.keys(schema)) if (!KNOWN_KEYWORDS.has(key)) throw new Error(`schemaArbitrary: keyword "${key}" is not supported`);
  if (schema.$ref) return fc.constant(null).chain(() => schemaArbitrary(doc, resolveRef<Schema>(doc, schema as { $ref: string })));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.anyOf) {
    // One alternative at a time, each with the schema's own fields (its required and properties added to them).
    const { anyOf, ...base } = schema;
    return fc.oneof(
      ...(anyOf as Schema[]).map((alt) =>
        schemaArbitrary(doc, { ...base, required: [...(base.required ?? []), ...(alt.required ?? [])], properties: { ...base.properties, ...alt.properties } }),
      ),
    );
  }
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type: string) => schemaArbitrary(doc, { ...schema, type })));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), awkwardInteger(-Number.MAX_VALUE, Number.MAX_VALUE));
    case 'integer':
      return awkwardInteger(schema.minimum ?? -Number.MAX_VALUE, schema.maximum ?? Number.MAX_VALUE);
    case 'string':
      return awkwardString.map((s) => clampLength(s, schema.minLength, schema.maxLength));
    case 'array':
      return fc.array(schemaArbitrary(doc, schema.items ?? {}), { maxLength: 4 });
    case 'object':
      return objectArbitrary(doc, schema);
    default:
      throw new Error(`schemaArbitrary: type ${JSON.stringify(schema.type)} is not supported`);
  }
}

function objectArbitrary(doc: AsyncApiDocument, schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  if (schema.maxProperties === 0) return fc.constant({});
  const required = new Set<string>(schema.required ?? []);
  const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
  const fields = properties.map(([name, s]) => {
    const value = schemaArbitrary(doc, s);
    return required.has(name)
      ? value.map((v) => [[name, v] as [string, unknown]])
      : fc.option(
          value.map((v) => [[name, v] as [string, unknown]]),
          { nil: [] },
        );
  });
  const additional = schema.additionalProperties;
  const extra: fc.Arbitrary<Array<[string, unknown]>> =
    additional === false
      ? fc.constant([])
      : typeof additional === 'object'
        ? fc.array(fc.tuple(awkwardString, schemaArbitrary(doc, additional)), { maxLength: 4 })
        : unknownFields;
  return fc.tuple(fc.tuple(...fields), extra).map(([known, more]) => {
    const names = new Set(properties.map(([n]) => n));
    return objectOf([...known.flat(), ...more.filter(([k]) => !names.has(k))]);
  });
}

/** Frames (`{ event, data }` objects) of every message the document lists for `direction`. */
export function frameArbitrary(
  direction: Direction,
  doc: AsyncApiDocument = loadAsyncApiDocument(),
  /** Only these events (a room kind's), when given. */
  events?: readonly string[],
): fc.Arbitrary<{ event: string; data: unknown }> {
  const messages = contractMessages(doc).filter((m) => m.direction === direction && !m.planned && (!events || events.includes(m.event)));
  return fc.oneof(...messages.map((m) => schemaArbitrary(doc, { $ref: `#/components/schemas/${m.schema}` }) as fc.Arbitrary<{ event: string; data: unknown }>));
}

/** Frames of events the document does not know (a later version's, or a prototype member's name). */
export function unknownEventFrame(doc: AsyncApiDocument = loadAsyncApiDocument()): fc.Arbitrary<{ event: string; data: unknown }> {
  const known = new Set(contractMessages(doc).map((m) => m.event));
  return fc.record({
    event: fc.oneof(fc.constantFrom<string>(...AWKWARD_NAMES, 'shout', 'welcome2'), awkwardString).filter((e) => !known.has(e)),
    data: unknownFields.map(objectOf),
  });
}

/**
 * Settings of every property test here: a fixed number of runs, so a file stays well under a minute.
 * fast-check prints the seed and path of a failure (and a shrunk counterexample); pass them back
 * (`{ seed, path }` next to `numRuns`) to replay it.
 */
export function propertyRuns<T>(numRuns: number): fc.Parameters<T> {
  return { numRuns };
}
