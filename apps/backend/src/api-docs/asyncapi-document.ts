import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

/** The parts of an AsyncAPI 3.0 document the page reads; the JSON route serves the whole of it. */
export interface AsyncApiDocument {
  asyncapi: string;
  info: { title: string; version: string; description?: string };
  servers?: Record<string, { host: string; protocol: string; description?: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, { action: 'send' | 'receive'; title?: string; summary?: string; messages: Array<{ $ref: string }> }>;
  components: { messages: Record<string, AsyncApiMessage>; schemas: Record<string, JsonSchema> };
}

export interface AsyncApiChannel {
  address: string;
  title?: string;
  description?: string;
  bindings?: { ws?: { query?: JsonSchema } };
  messages: Record<string, { $ref: string }>;
}

export interface AsyncApiMessage {
  name: string;
  title?: string;
  summary?: string;
  description?: string;
  payload: { $ref: string };
  'x-status'?: string;
}

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxProperties?: number;
  default?: unknown;
  'x-status'?: string;
}

/**
 * docs/asyncapi.yaml, the WebSocket contract. A build puts it beside the bundle as asyncapi.json
 * (scripts/build.mjs: the runtime image holds only dist/); run from source (tests), the YAML is
 * read from the repository.
 */
export function loadAsyncApiDocument(dir: string = __dirname): AsyncApiDocument | null {
  const built = join(dir, 'asyncapi.json');
  if (existsSync(built)) return JSON.parse(readFileSync(built, 'utf8')) as AsyncApiDocument;
  const source = join(dir, '..', '..', '..', '..', 'docs', 'asyncapi.yaml');
  if (existsSync(source)) return load(readFileSync(source, 'utf8')) as AsyncApiDocument;
  return null;
}

/** The target of a local `$ref` ("#/components/schemas/Message"). */
export function resolveRef<T>(doc: AsyncApiDocument, ref: string): T | undefined {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc) as T | undefined;
}
