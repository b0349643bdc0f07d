/**
 * Human text hygiene (shared/src/text.ts): every string whose schema is marked
 * HumanText/HumanName/LongText is NFC-normalised and trimmed, and refused with a
 * VALIDATION_FAILED naming the field when it carries control or bidi formatting
 * characters or, for a name, nothing visible. Used by the REST preValidation hook
 * (plugins/hygiene.ts) and by the realtime dispatcher before it validates a command.
 */
import type { TSchema } from 'typebox';
import { HUMAN_TEXT, humanTextProblem, normalizeHumanText, type HumanTextKind } from '@diemcau/shared';
import { badRequest } from './app-error.ts';

type Schema = TSchema & Record<string, unknown>;
type Visit = (kind: HumanTextKind, value: string, path: string, required: boolean) => string;

/**
 * Whether any string under `schema` is marked (in the parts `walk` follows). Most commands carry no
 * human text (a ballot, a check-in): they skip the walk, which was ~2% of a ballot storm's CPU.
 * Schemas are built once at startup, so the answer is kept per schema object.
 */
const marked = new WeakMap<Schema, boolean>();
function hasMarks(schema: Schema, seen: Set<Schema>): boolean {
  if (seen.has(schema)) return false;
  seen.add(schema);
  if (schema[HUMAN_TEXT] !== undefined) return true;
  const subs = [...(['anyOf', 'allOf', 'oneOf'] as const).flatMap((k) => (schema[k] as Schema[] | undefined) ?? []), ...Object.values((schema.properties as Record<string, Schema> | undefined) ?? {})];
  if (schema.items) subs.push(schema.items as Schema);
  return subs.some((s) => hasMarks(s, seen));
}
function carriesHumanText(schema: Schema): boolean {
  let found = marked.get(schema);
  if (found === undefined) marked.set(schema, (found = hasMarks(schema, new Set())));
  return found;
}

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
  if (problem) throw badRequest(`${path || '/'} ${problem}`, { field: path });
  return v;
};
/** Normalises the human text in `body` according to `schema` (objects in place); throws AppError 400 on refused text. */
export const cleanHumanText = (schema: TSchema, body: unknown): unknown => (carriesHumanText(schema as Schema) ? walk(schema as Schema, body, '', strict) : body);
