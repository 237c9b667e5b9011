import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { load } from 'js-yaml';

/**
 * The WebSocket contract of docs/asyncapi.yaml as validators: which events go which way, and the
 * JSON schema of each `{ event, data }` frame. The document itself is the only source: a frame it
 * does not describe is a violation.
 */

export const ASYNCAPI_PATH = join(__dirname, '..', '..', 'docs', 'asyncapi.yaml');

/** Client → server (the server's `receive` operation) or server → client (its `send` operation). */
export type Direction = 'client→server' | 'server→client';

interface Ref {
  $ref: string;
}
interface AsyncApiMessage {
  name: string;
  payload: Ref;
  'x-status'?: string;
}
export interface AsyncApiDocument {
  info: { version: string };
  channels: Record<string, { messages: Record<string, Ref> }>;
  operations: Record<string, { action: 'send' | 'receive'; channel: Ref; messages: Ref[] }>;
  components: { messages: Record<string, AsyncApiMessage>; schemas: Record<string, any> };
}

/** One message of the document as the contract sees it. */
export interface ContractMessage {
  /** Key under components.messages. */
  key: string;
  /** The `event` of the frame. */
  event: string;
  direction: Direction;
  /** `x-status: planned`: documented ahead of the servers (version 2 parts not built yet). */
  planned: boolean;
  /** Key of the frame schema under components.schemas. */
  schema: string;
}

export function loadAsyncApiDocument(path = ASYNCAPI_PATH): AsyncApiDocument {
  return load(readFileSync(path, 'utf8')) as AsyncApiDocument;
}

/** Follows a local `$ref` ("#/a/b") inside the document. */
export function resolveRef<T>(doc: AsyncApiDocument, ref: Ref): T {
  if (!ref.$ref.startsWith('#/')) throw new Error(`only local refs are supported: ${ref.$ref}`);
  return ref.$ref
    .slice(2)
    .split('/')
    .reduce<any>((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc) as T;
}

/** Every message reachable from an operation, with its direction. */
export function contractMessages(doc: AsyncApiDocument): ContractMessage[] {
  const out: ContractMessage[] = [];
  for (const operation of Object.values(doc.operations)) {
    // The document is written from the server's side: it receives what clients send.
    const direction: Direction = operation.action === 'receive' ? 'client→server' : 'server→client';
    for (const ref of operation.messages) {
      const channelMessage = resolveRef<Ref>(doc, ref);
      const key = channelMessage.$ref.split('/').pop() as string;
      const message = resolveRef<AsyncApiMessage>(doc, channelMessage);
      const schema = message.payload.$ref.split('/').pop() as string;
      out.push({ key, event: message.name, direction, planned: message['x-status'] === 'planned', schema });
    }
  }
  return out;
}

/** Checks frames, as text, against the document. */
export class FrameContract {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly doc: AsyncApiDocument = loadAsyncApiDocument()) {
    // strict off: the document's own keys (asyncapi, info, x-status, …) are not JSON Schema keywords.
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'asyncapi');
    for (const m of contractMessages(doc)) {
      const validate = ajv.getSchema(`asyncapi#/components/schemas/${m.schema}`);
      if (!validate) throw new Error(`no schema ${m.schema} for message ${m.key}`);
      this.validators.set(`${m.direction} ${m.event}`, validate);
    }
  }

  /** Why a text frame going `direction` is not one the document describes, or null when it is. */
  problem(direction: Direction, text: string): string | null {
    let frame: any;
    try {
      frame = JSON.parse(text);
    } catch {
      return 'not JSON';
    }
    const event = typeof frame?.event === 'string' ? frame.event : null;
    if (event === null) return 'no string "event"';
    const validate = this.validators.get(`${direction} ${event}`);
    if (!validate) return `event "${event}" is not a ${direction} message of the document`;
    if (validate(frame)) return null;
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
  }
}
