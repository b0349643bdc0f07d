import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';

/**
 * TypeBox validation with strict params/querystring conversion. TypeBox's
 * Convert turns "1.5" or "007" into a number; an id in a URL must be written
 * exactly as the number it names, so lossy conversions are rejected.
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const check = TypeBoxValidatorCompiler(route);
  if (route.httpPart === 'body') return check;
  return (input) => {
    // Convert mutates its argument, so keep the raw strings for the comparison below.
    const raw = typeof input === 'object' && input !== null ? { ...(input as Record<string, unknown>) } : null;
    const result = check(input) as { value?: Record<string, unknown>; error?: FastifySchemaValidationError[] };
    if (!result.value || !raw) return result;
    for (const [key, v] of Object.entries(result.value)) {
      const given = raw[key];
      if (typeof v === 'number' && typeof given === 'string' && String(v) !== given) {
        return { error: [{ keyword: 'type', instancePath: `/${key}`, schemaPath: `#/properties/${key}`, params: {}, message: 'must be a canonical number' }] };
      }
    }
    return result;
  };
};
