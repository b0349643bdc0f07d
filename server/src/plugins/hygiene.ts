/**
 * Human text hygiene for REST bodies (server/src/lib/human-text.ts): marked strings are
 * NFC-normalised and trimmed before validation, and refused with a 400 naming the field.
 * Socket commands get the same treatment in the realtime dispatcher.
 */
import fp from 'fastify-plugin';
import type { TSchema } from 'typebox';
import { cleanHumanText } from '../lib/human-text.ts';

export default fp(
  async (app) => {
    app.addHook('preValidation', async (req) => {
      const schema = req.routeOptions.schema?.body as TSchema | undefined;
      if (schema && req.body !== undefined) req.body = cleanHumanText(schema, req.body);
    });
  },
  { name: 'hygiene' },
);
