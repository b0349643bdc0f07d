/**
 * Human text hygiene at the edge (shared/src/text.ts): every string whose schema is marked
 * HumanText/HumanName/LongText is NFC-normalised and trimmed before validation, and refused
 * with a 400 naming the field when it carries control or bidi formatting characters or, for a
 * name, nothing visible. REST bodies go through a preValidation hook; socket commands through
 * a listener that runs before the realtime dispatcher's, so the realtime plugin's validator then
 * sees normalised text and its schema patterns refuse what is left.
 */
import fp from 'fastify-plugin';
import type { TSchema } from 'typebox';
import { Commands, HUMAN_TEXT, humanTextProblem, normalizeHumanText, type HumanTextKind } from '@diemcau/shared';
import { badRequest } from '../lib/app-error.ts';

type Schema = TSchema & Record<string, unknown>;
type Visit = (kind: HumanTextKind, value: string, path: string, required: boolean) => string;

/** Rebuilds `value` with every marked string passed through `visit`; other values are untouched. */
function walk(schema: Schema | undefined, value: unknown, path: string, visit: Visit): unknown {
  if (!schema || value === null || value === undefined) return value;
  const kind = schema[HUMAN_TEXT] as HumanTextKind | undefined;
  if (kind && typeof value === 'string') return visit(kind, value, path, ((schema.minLength as number | undefined) ?? 0) > 0);
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
    const subs = schema[key] as Schema[] | undefined;
    if (subs) for (const s of subs) value = walk(s, value, path, visit);
  }
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const [k, s] of Object.entries(props)) if (k in obj) obj[k] = walk(s, obj[k], `${path}/${k}`, visit);
  }
  const items = schema.items as Schema | undefined;
  if (items && Array.isArray(value)) value.forEach((v, i) => ((value as unknown[])[i] = walk(items, v, `${path}/${i}`, visit)));
  return value;
}

/** Normalises and checks; throws the typed 400 naming the field. */
const strict: Visit = (kind, value, path, required) => {
  const v = normalizeHumanText(value, kind);
  const problem = humanTextProblem(v, kind, required);
  if (problem) throw badRequest(`${path.slice(1) || 'value'} ${problem}`, { field: path });
  return v;
};
/** Normalises only: the socket validator's patterns refuse what remains, with its own typed ack. */
const lenient: Visit = (kind, value) => normalizeHumanText(value, kind);

/** Normalises the human text in `body` according to `schema`; throws AppError 400 on refused text. */
export const cleanHumanText = (schema: TSchema, body: unknown): unknown => walk(schema as Schema, body, '', strict);

export default fp(
  async (app) => {
    app.addHook('preValidation', async (req) => {
      const schema = req.routeOptions.schema?.body as TSchema | undefined;
      if (schema && req.body !== undefined) req.body = cleanHumanText(schema, req.body);
    });
    const commands = Commands as Record<string, { req: TSchema }>;
    app.realtime.io.on('connection', (socket) => {
      socket.prependAny((event: string, ...args: unknown[]) => {
        const def = Object.prototype.hasOwnProperty.call(commands, event) ? commands[event] : undefined;
        // Payloads are mutated in place: the dispatcher receives the same objects next.
        if (def && args.length > 0 && typeof args[0] === 'object') walk(def.req as Schema, args[0], '', lenient);
      });
    });
  },
  { name: 'hygiene', dependencies: ['realtime'] },
);
