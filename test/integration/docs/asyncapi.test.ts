/**
 * The AsyncAPI document is generated from the shared contract and checked
 * against it here, so it cannot drift: every command and broadcast is there
 * with the exact runtime schema, every command has its ack, the error codes
 * are the shared union, and the documented handshake refusals are what the
 * server really answers.
 */
import specs from '@asyncapi/specs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broadcasts, Commands, ERROR_CODES, PROTOCOL_VERSION } from '../../../shared/src/index.ts';
import { buildTestApp, connect, login, type TestApp } from '../../helpers/app.ts';

type Json = Record<string, any>;
const plain = (s: unknown) => JSON.parse(JSON.stringify(s)) as Json;

let t: TestApp;
let doc: Json;
beforeAll(async () => {
  t = await buildTestApp();
  await t.listen();
  const res = await t.app.inject({ url: '/docs/asyncapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await t?.close();
});

describe('AsyncAPI document of the Socket.IO protocol', () => {
  it('covers every command and broadcast of the contract with its runtime schema, and nothing else', () => {
    expect(doc.asyncapi).toBe('2.6.0');
    expect(doc.info['x-protocol-version']).toBe(PROTOCOL_VERSION);
    const messages = doc.components.messages as Record<string, Json>;
    const commands = Object.keys(Commands);
    const broadcasts = Object.keys(Broadcasts);
    expect(Object.keys(messages).sort()).toEqual([...commands, ...broadcasts].sort());
    const refs = (op: Json) => (op.message.oneOf as { $ref: string }[]).map((r) => r.$ref.replace('#/components/messages/', '')).sort();
    expect(refs(doc.channels['/'].publish)).toEqual([...commands].sort());
    expect(refs(doc.channels['/'].subscribe)).toEqual([...broadcasts].sort());
    for (const name of commands) {
      const m = messages[name]!;
      expect(m.summary, name).toMatch(/\S{3}/);
      expect(m.payload, name).toEqual(plain(Commands[name as keyof typeof Commands].req));
      const [okShape, errShape] = m['x-ack'].oneOf;
      expect(okShape.properties.ok.const, name).toBe(true);
      if (name !== 'meeting:join') expect(okShape.properties.data, name).toEqual(plain(Commands[name as keyof typeof Commands].res));
      expect(errShape.$ref).toBe('#/components/schemas/AckError');
    }
    for (const name of broadcasts) {
      expect(messages[name]!.summary, name).toMatch(/\S{3}/);
      expect(messages[name]!.payload, name).toEqual(plain(Broadcasts[name as keyof typeof Broadcasts]));
      expect(messages[name]!['x-ack'], name).toBeUndefined();
    }
    // The join ack documents the snapshot, not an empty schema.
    expect(Object.keys(messages['meeting:join']!['x-ack'].oneOf[0].properties.data.properties)).toEqual(expect.arrayContaining(['meeting', 'agenda', 'presence', 'floor']));
    expect(doc.components.schemas.ErrorCode.enum).toEqual(ERROR_CODES);
    expect(doc.components.schemas.HandshakeAuth.properties.protocol.const).toBe(PROTOCOL_VERSION);
  });

  it('is a valid AsyncAPI 2.6 document (the official JSON schema)', () => {
    // The AsyncAPI bundle carries its own copy of the draft-07 meta-schema: ajv's must not be added beside it.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, meta: false, validateSchema: false });
    const validate = ajv.compile(specs.schemas['2.6.0']);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    // The validator does bite: a message with an unknown field is refused.
    const broken = structuredClone(doc);
    broken.components.messages['vote:cast'].bogus = true;
    expect(validate(broken)).toBe(false);
  });

  it('documents the handshake refusals the server really gives', async () => {
    const codes = doc.components.schemas.HandshakeRefusal.properties.code.enum as string[];
    expect(codes).toEqual(['PROTOCOL_MISMATCH', 'UNAUTHENTICATED', 'TOO_MANY_CONNECTIONS']);
    for (const c of codes) expect(ERROR_CODES).toContain(c);
    const token = await login(t.app, 'daibieu01');
    const refusal = (p: Promise<unknown>) => p.then(() => 'connected', (e: { data?: { code: string } }) => e.data?.code);
    expect(await refusal(connect(t.url, token, { protocol: PROTOCOL_VERSION + 1 }))).toBe('PROTOCOL_MISMATCH');
    expect(await refusal(connect(t.url, undefined))).toBe('UNAUTHENTICATED');
    const ok = await connect(t.url, token);
    ok.close();
  });

  it('is readable as a page beside /docs, naming every event', async () => {
    const res = await t.app.inject({ url: '/docs/asyncapi' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    for (const name of [...Object.keys(Commands), ...Object.keys(Broadcasts)]) expect(res.body).toContain(`<code>${name}</code>`);
    expect(res.body).toContain('PROTOCOL_MISMATCH');
    // The OpenAPI UI beside it still works.
    expect((await t.app.inject({ url: '/docs/json' })).statusCode).toBe(200);
  });
});
