/** Set-up shared by the documents integration tests: a listening seeded app and upload helpers. */
import type { DocumentInfo } from '../../../shared/src/index.ts';
import { bearer, buildTestApp, login, type TestApp } from '../../helpers/app.ts';
import type { Config } from '../../../server/src/config.ts';
import type { AppDeps } from '../../../server/src/app.ts';

export interface Env {
  t: TestApp;
  meetingId: number;
  tokens: Record<string, string>;
  userId(username: string): number;
  close(): Promise<void>;
}

/** Users the tests act as: secretariat, admin, two delegates, an operator, the observer. */
export const CAST = ['vanphong', 'admin', 'daibieu01', 'daibieu12', 'cau.tinh1', 'quansat'] as const;

export async function setup(config: Partial<Config> = {}, deps: AppDeps = {}): Promise<Env> {
  const t = await buildTestApp({ config: { publicBaseUrl: 'http://192.0.2.10:3000', ...config }, deps });
  await t.listen();
  const meetingId = (t.app.db.$client.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;
  const tokens: Record<string, string> = {};
  for (const u of CAST) tokens[u] = await login(t.app, u);
  return {
    t,
    meetingId,
    tokens,
    userId: (username) => (t.app.db.$client.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number }).id,
    close: () => t.close(),
  };
}

export interface UploadOpts {
  name?: string;
  title?: string;
  classification?: string;
  audienceRoles?: string;
  audienceUnitIds?: string;
  as?: string;
  path?: string;
}

/** Uploads over real HTTP as multipart/form-data (fields first, then the file). */
export async function upload(env: Env, bytes: Buffer, o: UploadOpts = {}): Promise<Response> {
  const form = new FormData();
  if (o.title) form.append('title', o.title);
  if (o.classification) form.append('classification', o.classification);
  if (o.audienceRoles) form.append('audienceRoles', o.audienceRoles);
  if (o.audienceUnitIds) form.append('audienceUnitIds', o.audienceUnitIds);
  form.append('file', new Blob([new Uint8Array(bytes)]), o.name ?? 'tai-lieu.pdf');
  return fetch(`${env.t.url}${o.path ?? `/api/meetings/${env.meetingId}/documents`}`, {
    method: 'POST',
    headers: bearer(env.tokens[o.as ?? 'vanphong']!),
    body: form,
  });
}

export async function uploadOk(env: Env, bytes: Buffer, o: UploadOpts = {}): Promise<DocumentInfo> {
  const res = await upload(env, bytes, o);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as DocumentInfo;
}

export async function publish(env: Env, docId: number): Promise<void> {
  const res = await env.t.app.inject({ method: 'POST', url: `/api/meetings/${env.meetingId}/documents/${docId}/publish`, headers: bearer(env.tokens.vanphong!) });
  if (res.statusCode !== 200) throw new Error(`publish failed: ${res.statusCode} ${res.body}`);
}

export const auditRows = (env: Env, action: string) =>
  env.t.app.db.$client.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id').all(action) as { actor_user_id: number | null; target_id: string; details: string }[];
