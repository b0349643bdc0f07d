/**
 * A plain, readable HTML rendering of the AsyncAPI document (no scripts, no
 * CDN): one section per event with its summary, payload schema and ack.
 */
import { esc } from './html.ts';

type Json = Record<string, unknown>;
const CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a}
pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:13px;max-height:24rem}h2{border-bottom:2px solid #a50000;margin-top:2rem}
h3{margin-bottom:.25rem}code{background:#f4f4f4;padding:0 .2rem}nav a{margin-right:.5rem;display:inline-block}`;
const json = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
/** Enough Markdown for the description: paragraphs, **bold** and `code`. */
const md = (s: string) =>
  s
    .split(/\n\n+/)
    .map((p) => `<p>${esc(p).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('\n');

export function asyncApiHtml(doc: Json): string {
  const info = doc.info as { title: string; version: string; description: string };
  const messages = (doc.components as { messages: Record<string, Json> }).messages;
  const schemas = (doc.components as { schemas: Json }).schemas;
  const section = (kind: string, names: string[]) =>
    names
      .map((n) => {
        const m = messages[n]!;
        const ack = m['x-ack'] ? `<h4>Ack</h4>${json(m['x-ack'])}` : '';
        return `<section id="${esc(n)}"><h3><code>${esc(n)}</code> <small>${kind}</small></h3><p>${esc(m.summary)}</p><h4>Payload</h4>${json(m.payload)}${ack}</section>`;
      })
      .join('\n');
  const names = Object.keys(messages);
  const commands = names.filter((n) => messages[n]!['x-ack']);
  const broadcasts = names.filter((n) => !messages[n]!['x-ack']);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title)}</title><style>${CSS}</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>Machine-readable: <a href="asyncapi.json">asyncapi.json</a> (AsyncAPI ${esc(doc.asyncapi)}). HTTP API: <a href="/docs">OpenAPI</a>.</p>
${md(info.description)}
<h2>Handshake</h2><h3>auth</h3>${json(schemas.HandshakeAuth)}<h3>Refusals (connect_error)</h3>${json(schemas.HandshakeRefusal)}
<h3>Error codes</h3>${json(schemas.ErrorCode)}
<h2>Commands (client → server)</h2><nav>${commands.map((n) => `<a href="#${esc(n)}">${esc(n)}</a>`).join(' ')}</nav>${section('command', commands)}
<h2>Broadcasts (server → client)</h2><nav>${broadcasts.map((n) => `<a href="#${esc(n)}">${esc(n)}</a>`).join(' ')}</nav>${section('broadcast', broadcasts)}
</body></html>`;
}
