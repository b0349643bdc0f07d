/**
 * The OpenAPI document is complete: every operation has a summary, a
 * description and tags; request bodies (multipart uploads included) and every
 * response have schemas and examples; errors use the one shared error schema.
 * And it is honest: each operation is called without a session, as a
 * delegate and as the admin with ids that do not exist and an empty body, and
 * every status the server answers must be one the document lists.
 */
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../../shared/src/index.ts';
import { bearer, buildTestApp, login, type TestApp } from '../../helpers/app.ts';

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

let t: TestApp;
let doc: Json;
const ops: { method: string; path: string; op: Json }[] = [];
beforeAll(async () => {
  t = await buildTestApp();
  await t.listen();
  const res = await t.app.inject({ url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
  for (const [path, item] of Object.entries<Json>(doc.paths)) for (const m of METHODS) if (item[m]) ops.push({ method: m.toUpperCase(), path, op: item[m] });
});
afterAll(async () => {
  await t?.close();
});

const errorShape = JSON.parse(JSON.stringify(ErrorResponse)) as Json;

describe('OpenAPI document', () => {
  it('documents every operation: summary, description, tags, bodies, responses with schemas and examples', () => {
    expect(ops.length).toBeGreaterThan(70);
    const problems: string[] = [];
    for (const { method, path, op } of ops) {
      const id = `${method} ${path}`;
      if (!op.summary?.trim()) problems.push(`${id}: no summary`);
      if (!op.description?.trim()) problems.push(`${id}: no description`);
      if (!op.tags?.length) problems.push(`${id}: no tags`);
      const statuses = Object.keys(op.responses ?? {}).map(Number);
      if (!statuses.some((s) => s >= 200 && s < 300)) problems.push(`${id}: no success response`);
      if (!statuses.includes(500)) problems.push(`${id}: no 500 response`);
      for (const [status, r] of Object.entries<Json>(op.responses ?? {})) {
        if (!r.description?.trim()) problems.push(`${id} ${status}: no description`);
        const s = Number(status);
        if (s === 204 || (s >= 300 && s < 400)) continue;
        if (!r.content) {
          problems.push(`${id} ${status}: no body schema`);
          continue;
        }
        for (const [type, media] of Object.entries<Json>(r.content)) {
          if (!media.schema) problems.push(`${id} ${status} ${type}: no schema`);
          if (type.includes('json') && media.example === undefined) problems.push(`${id} ${status} ${type}: no example`);
          if (s >= 400) {
            if (!type.includes('json')) problems.push(`${id} ${status}: error body is not JSON`);
            const { description: _d, ...shape } = media.schema ?? {};
            expect(shape, `${id} ${status}`).toMatchObject({ type: 'object', required: errorShape.required });
            expect(Object.keys(shape.properties.error.properties), `${id} ${status}`).toEqual(Object.keys(errorShape.properties.error.properties));
            expect(media.example?.error?.code, `${id} ${status}`).toMatch(/^[A-Z_]+$/);
          }
        }
      }
      if (['POST', 'PUT', 'PATCH'].includes(method) && op.requestBody) {
        for (const [type, media] of Object.entries<Json>(op.requestBody.content)) {
          if (!media.schema) problems.push(`${id} body ${type}: no schema`);
          if (type.includes('json') && media.example === undefined) problems.push(`${id} body ${type}: no example`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives examples that match their own schemas', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const wrong: string[] = [];
    let checked = 0;
    const check = (where: string, media: Json) => {
      if (!media.schema || media.example === undefined) return;
      checked++;
      const validate = ajv.compile(media.schema);
      if (!validate(media.example)) wrong.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    };
    for (const { method, path, op } of ops) {
      for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {})) if (type.includes('json')) check(`${method} ${path} body`, media);
      for (const [status, r] of Object.entries<Json>(op.responses)) for (const [type, media] of Object.entries<Json>(r.content ?? {})) if (type.includes('json')) check(`${method} ${path} ${status}`, media);
    }
    expect(checked).toBeGreaterThan(400);
    expect(wrong).toEqual([]);
    // The check bites: an example of the wrong type is caught.
    const meeting = doc.paths['/api/meetings/{id}'].get.responses['200'].content['application/json'];
    expect(ajv.compile(meeting.schema)({ ...meeting.example, id: 'one' })).toBe(false);
  });

  it('documents the multipart upload bodies', () => {
    for (const path of ['/api/meetings/{id}/documents', '/api/meetings/{id}/documents/{docId}/versions']) {
      const body = doc.paths[path].post.requestBody;
      const schema = body.content['multipart/form-data'].schema;
      expect(schema.required).toContain('file');
      expect(schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
      expect(schema.properties.classification.enum).toContain('confidential');
    }
  });

  it('lists every status the server answers (no session, a delegate, the admin with unknown ids)', async () => {
    const delegate = bearer(await login(t.app, 'daibieu01'));
    const admin = bearer(await login(t.app, 'admin'));
    const undocumented: string[] = [];
    const fill = (path: string, op: Json) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const p = (op.parameters ?? []).find((x: Json) => x.in === 'path' && x.name === name);
        if (name === 'format') return 'txt';
        return p?.schema?.type === 'integer' ? '999999' : 'AbCdEfGh12345678';
      });
    // Signing out ends the session the other calls use: it goes last.
    const ordered = [...ops].sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));
    for (const who of [{}, delegate, admin]) {
      for (const { method, path, op } of ordered) {
        const hasBody = ['POST', 'PUT', 'PATCH'].includes(method) && op.requestBody?.content?.['application/json'];
        const res = await t.app.inject({ method: method as 'GET', url: fill(path, op), headers: { ...who, accept: 'application/json' }, ...(hasBody && { payload: {} }) });
        if (!(String(res.statusCode) in op.responses)) undocumented.push(`${method} ${path} → ${res.statusCode} ${res.body.slice(0, 120)}`);
        expect(res.statusCode, `${method} ${path}`).toBeLessThan(500);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
