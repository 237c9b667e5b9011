import { resolveRef, type AsyncApiDocument, type AsyncApiMessage, type JsonSchema } from './asyncapi-document';

/**
 * The AsyncAPI document as one HTML page: the connection, every message of each direction with its
 * `data` fields, and the schemas they use. Rendered once at boot; no script and no outside resource.
 */

const escapeMap: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: unknown): string => String(text).replace(/[&<>"']/g, (c) => escapeMap[c]);

/** Inline markdown the document uses: `code` and **strong**. */
function inline(text: string): string {
  return esc(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** Block markdown the document uses: paragraphs and pipe tables. */
function markdown(text: string | undefined): string {
  if (!text) return '';
  const out: string[] = [];
  for (const block of text.trim().split(/\n\s*\n/)) {
    const lines = block.split('\n').map((l) => l.trim());
    if (lines.every((l) => l.startsWith('|'))) {
      const cells = (l: string) =>
        l
          .slice(1, l.endsWith('|') ? -1 : undefined)
          .split('|')
          .map((c) => c.trim());
      const [head, , ...rows] = lines;
      out.push(
        `<table><thead><tr>${cells(head)
          .map((c) => `<th>${inline(c)}</th>`)
          .join('')}</tr></thead><tbody>` +
          rows
            .map(
              (r) =>
                `<tr>${cells(r)
                  .map((c) => `<td>${inline(c)}</td>`)
                  .join('')}</tr>`,
            )
            .join('') +
          '</tbody></table>',
      );
    } else out.push(`<p>${inline(lines.join(' '))}</p>`);
  }
  return out.join('\n');
}

const refName = (ref: string) => ref.split('/').pop() as string;
const planned = (node: { 'x-status'?: string }) => (node['x-status'] === 'planned' ? ' <span class="planned">planned</span>' : '');

function typeOf(schema: JsonSchema): string {
  if (schema.$ref) return `<a href="#schema-${esc(refName(schema.$ref))}">${esc(refName(schema.$ref))}</a>`;
  if (schema.const !== undefined) return `<code>${esc(JSON.stringify(schema.const))}</code>`;
  if (schema.enum) return schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return `{ [key: string]: ${typeOf(schema.additionalProperties)} }`;
  }
  if (schema.type === 'object' && schema.maxProperties === 0) return '<code>{}</code> (empty object)';
  return esc(Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any'));
}

function rules(schema: JsonSchema): string {
  const r: string[] = [];
  if (schema.minimum !== undefined) r.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) r.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) r.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) r.push(`length ≤ ${schema.maxLength}`);
  if (schema.pattern) r.push(`pattern <code>${esc(schema.pattern)}</code>`);
  if (schema.default !== undefined) r.push(`default ${esc(JSON.stringify(schema.default))}`);
  return r.join(', ');
}

function fieldsTable(schema: JsonSchema): string {
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return schema.maxProperties === 0 ? '<p class="muted">An empty object: <code>{}</code>.</p>' : '';
  const required = new Set(schema.required ?? []);
  const rows = props.map(
    ([name, p]) =>
      `<tr><td><code>${esc(name)}</code>${planned(p)}</td><td>${typeOf(p)}</td><td>${required.has(name) ? 'yes' : ''}</td>` +
      `<td>${[rules(p), p.description ? inline(p.description) : ''].filter(Boolean).join('<br>')}</td></tr>`,
  );
  return `<table><thead><tr><th>field</th><th>type</th><th>required</th><th>rules</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function messageSection(doc: AsyncApiDocument, key: string, message: AsyncApiMessage, direction: string): string {
  const frame = resolveRef<JsonSchema>(doc, message.payload.$ref);
  const data = frame?.properties?.data;
  const dataSchema = data?.$ref ? resolveRef<JsonSchema>(doc, data.$ref) : data;
  return `<section class="message" id="message-${esc(key)}">
<h3><code>${esc(message.name)}</code> <span class="dir">${esc(direction)}</span>${planned(message)}</h3>
${markdown(message.summary)}${markdown(message.description)}
<pre>{ "event": "${esc(message.name)}", "data": ${data?.$ref ? esc(refName(data.$ref)) : '…'} }</pre>
${dataSchema ? fieldsTable(dataSchema) : ''}
</section>`;
}

export function renderAsyncApiPage(doc: AsyncApiDocument, links: { jsonUrl: string; openApiUrl: string }): string {
  const sections: string[] = [];
  for (const [, channel] of Object.entries(doc.channels)) {
    const query = channel.bindings?.ws?.query;
    sections.push(`<h2 id="connect">Connecting</h2>
${markdown(channel.description)}
<pre>GET &lt;url&gt;${esc(channel.address === '/' ? '' : channel.address)}?${Object.keys(query?.properties ?? {})
      .map((q) => `${esc(q)}=…`)
      .join('&amp;')}   (WebSocket upgrade)</pre>
${query ? fieldsTable(query) : ''}`);
  }
  const usedSchemas = new Set<string>();
  for (const [, op] of Object.entries(doc.operations)) {
    const direction = op.action === 'receive' ? 'client → server' : 'server → client';
    const items = op.messages.map((ref) => {
      const channelMessage = resolveRef<{ $ref: string }>(doc, ref.$ref);
      const key = refName(channelMessage?.$ref ?? ref.$ref);
      const message = doc.components.messages[key];
      return messageSection(doc, key, message, direction);
    });
    sections.push(
      `<h2 id="${op.action === 'receive' ? 'client-to-server' : 'server-to-client'}">${esc(op.title ?? direction)}</h2>${markdown(op.summary)}${items.join('\n')}`,
    );
  }
  // Schemas a frame's data refers to (payloads and what they nest), listed once.
  const collect = (schema: JsonSchema | undefined) => {
    if (!schema) return;
    for (const s of [
      schema,
      schema.items,
      ...Object.values(schema.properties ?? {}),
      typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined,
    ]) {
      if (s?.$ref && !usedSchemas.has(refName(s.$ref))) {
        usedSchemas.add(refName(s.$ref));
        collect(resolveRef<JsonSchema>(doc, s.$ref));
      } else if (s && s !== schema && (s.items || s.properties)) collect(s);
    }
  };
  for (const message of Object.values(doc.components.messages)) {
    const dataRef = resolveRef<JsonSchema>(doc, message.payload.$ref)?.properties?.data?.$ref;
    if (!dataRef) continue;
    usedSchemas.add(refName(dataRef));
    collect(resolveRef<JsonSchema>(doc, dataRef));
  }
  const schemaSections = [...usedSchemas].sort().map((name) => {
    const schema = doc.components.schemas[name];
    return `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${markdown(schema.description)}${schema.properties ? fieldsTable(schema) : `<p>${typeOf(schema)} ${rules(schema)}</p>`}</section>`;
  });
  const toc = [
    '<a href="#connect">Connecting</a>',
    '<a href="#client-to-server">Client → server</a>',
    '<a href="#server-to-client">Server → client</a>',
    '<a href="#schemas">Schemas</a>',
  ].join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>
/* Follows the reader's system theme like the web app (prefers-color-scheme). */
:root{color-scheme:light dark;--text:#1d1d1f;--bg:#ffffff;--muted:#595959;--line:#dddddd;--code:#f4f4f6;--th:#f7f7f9;--link:#0645ad;--planned-bg:#fff3cd;--planned:#7a5b00}
@media (prefers-color-scheme:dark){:root{--text:#e8eaf2;--bg:#12141b;--muted:#a2a7ba;--line:#323747;--code:#1f2230;--th:#1b1e28;--link:#9db8ff;--planned-bg:#3b2a0a;--planned:#fbbf24}}
body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:0 auto;padding:1rem 1.5rem;color:var(--text);background:var(--bg)}
a{color:var(--link)}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid var(--line);margin-top:2.5rem}h3{margin:1.6rem 0 .3rem}
code,pre{font:13px/1.4 ui-monospace,monospace;background:var(--code);border-radius:3px}code{padding:0 .2em}pre{padding:.6rem;overflow:auto}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:var(--th)}
.dir{font-size:.8em;color:var(--muted);font-weight:normal}.planned{font-size:.75em;background:var(--planned-bg);color:var(--planned);border-radius:3px;padding:0 .3em;font-weight:normal}
.muted{color:var(--muted)}nav{margin:.5rem 0 1rem}
</style></head><body>
<h1>${esc(doc.info.title)}</h1>
<p class="muted">AsyncAPI ${esc(doc.asyncapi)} · version ${esc(doc.info.version)} · <a href="${esc(links.jsonUrl)}">the document as JSON</a> · <a href="${esc(links.openApiUrl)}">HTTP API (OpenAPI)</a></p>
<nav>${toc}</nav>
${markdown(doc.info.description)}
${sections.join('\n')}
<h2 id="schemas">Schemas</h2>
${schemaSections.join('\n')}
</body></html>
`;
}
