// The audit trail is a hash chain: every entry linked and hashed; edits, deletions and
// reorderings are found by the API, by the CLI and name the first broken entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFile } from '../../../server/src/db/index.ts';
import { appendAudit, sealLegacyAudit, verifyAudit } from '../../../server/src/modules/audit/audit.store.ts';
import { verifyAuditCli } from '../../../server/src/modules/audit/audit.cli.ts';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let admin: Record<string, string>;
let sec: Record<string, string>;
let meetingId: number;
beforeAll(async () => {
  t = await buildTestApp();
  admin = bearer(await login(t.app, 'admin'));
  sec = bearer(await login(t.app, 'vanphong'));
  const meetings = (await t.app.inject({ method: 'GET', url: '/api/meetings', headers: sec })).json();
  meetingId = meetings[0].id;
  // Documents 1–4 of this meeting, for the agenda links below (an agenda item only links its own meeting's documents).
  const ins = t.app.db.$client.prepare("INSERT INTO documents (id, meeting_id, title, classification) VALUES (?, ?, ?, 'public_to_meeting')");
  for (const id of [1, 2, 3, 4]) ins.run(id, meetingId, `Tài liệu ${id}`);
});
afterAll(() => t.close());

const sqlite = () => t.app.db.$client;
const get = async (url: string, headers = admin) => t.app.inject({ method: 'GET', url, headers });
const verify = async () => (await get('/api/audit/verify')).json();
const cli = async (...args: string[]) => {
  const lines: string[] = [];
  const code = await verifyAuditCli(['--db', dbFile(t.dataDir), ...args], (l) => lines.push(l));
  return { code, text: lines.join('\n') };
};
/** Runs `fn` against a tampered trail and puts the table back afterwards, so each case starts intact. */
const tampered = async (fn: () => Promise<void>) => {
  const saved = sqlite().prepare('SELECT * FROM audit_log ORDER BY id').all() as Record<string, unknown>[];
  try {
    await fn();
  } finally {
    sqlite().prepare('DELETE FROM audit_log').run();
    const ins = sqlite().prepare('INSERT INTO audit_log (id, at, actor_user_id, action, target_type, target_id, details, ip, seq, prev_hash, hash) VALUES (@id, @at, @actor_user_id, @action, @target_type, @target_id, @details, @ip, @seq, @prev_hash, @hash)');
    for (const r of saved) ins.run(r);
  }
};
const middleRow = () => {
  const rows = sqlite().prepare('SELECT id, seq FROM audit_log ORDER BY seq').all() as { id: number; seq: number }[];
  return rows[Math.floor(rows.length / 2)]!;
};

describe('audit hash chain', () => {
  it('links every entry (seq, prev hash, hash) and verifies intact through API and CLI', async () => {
    await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/agenda`, headers: sec, payload: { title: 'Thông qua tài liệu', plannedMinutes: 5, documentIds: [1, 2] } });
    const rows = sqlite().prepare('SELECT seq, prev_hash AS prev, hash FROM audit_log ORDER BY seq').all() as { seq: number; prev: string; hash: string }[];
    expect(rows.length).toBeGreaterThan(2);
    rows.forEach((r, i) => {
      expect(r.seq).toBe(i);
      expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.prev).toBe(i === 0 ? '0'.repeat(64) : rows[i - 1]!.hash);
    });
    const v = await verify();
    expect(v).toMatchObject({ ok: true, length: rows.length, head: rows.at(-1)!.hash, firstBroken: null });
    const c = await cli('--head', v.head);
    expect(c.code, c.text).toBe(0);
    expect(c.text).toMatch(/^OK: Audit trail intact/);
  });

  it('finds an edited entry and names it', async () => {
    await tampered(async () => {
      const victim = middleRow();
      sqlite().prepare(`UPDATE audit_log SET details = '{"forged":true}' WHERE id = ?`).run(victim.id);
      const v = await verify();
      expect(v.ok).toBe(false);
      expect(v.firstBroken).toMatchObject({ id: victim.id, seq: victim.seq });
      const c = await cli();
      expect(c.code).toBe(1);
      expect(c.text).toContain(`entry id ${victim.id} `);
      expect(c.text).toContain('content does not match its hash');
    });
  });

  it('finds a deleted entry', async () => {
    await tampered(async () => {
      const victim = middleRow();
      sqlite().prepare('DELETE FROM audit_log WHERE id = ?').run(victim.id);
      const v = await verify();
      expect(v.ok).toBe(false);
      expect(v.firstBroken.seq).toBe(victim.seq + 1);
      expect((await cli()).code).toBe(1);
    });
  });

  it('finds reordered entries', async () => {
    await tampered(async () => {
      const a = middleRow();
      const b = sqlite().prepare('SELECT id, seq FROM audit_log WHERE seq = ?').get(a.seq + 1) as { id: number; seq: number };
      sqlite().prepare('UPDATE audit_log SET seq = -1 WHERE id = ?').run(a.id);
      sqlite().prepare('UPDATE audit_log SET seq = ? WHERE id = ?').run(a.seq, b.id);
      sqlite().prepare('UPDATE audit_log SET seq = ? WHERE id = ?').run(b.seq, a.id);
      const v = await verify();
      expect(v.ok).toBe(false);
      expect(v.firstBroken.id).toBe(b.id);
      expect((await cli()).code).toBe(1);
    });
  });

  it('finds an entry inserted around the chain, and a removed tail against a noted head', async () => {
    const { head } = await verify();
    await tampered(async () => {
      sqlite().prepare(`INSERT INTO audit_log (action, target_type) VALUES ('forged', 'x')`).run();
      const v = await verify();
      expect(v.ok).toBe(false);
      expect(v.firstBroken).toMatchObject({ seq: null, action: 'forged' });
    });
    await tampered(async () => {
      sqlite().prepare('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)').run();
      expect((await verify()).ok).toBe(true);
      const c = await cli('--head', head);
      expect(c.code).toBe(1);
      expect(c.text).toContain('differs from the expected');
    });
  });

  it('appends inside a caller transaction: a rollback leaves no entry and no gap', async () => {
    const before = (await verify()).length;
    await expect(
      t.app.database.tx(async (s) => {
        await appendAudit(s, { actorUserId: null, action: 'test.rolled_back', targetType: 'test' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await t.app.database.tx(async (s) => {
      await appendAudit(s, { actorUserId: null, action: 'test.a', targetType: 'test', details: { skip: undefined, n: 1 } });
      await appendAudit(s, { actorUserId: null, action: 'test.b', targetType: 'test' });
    });
    const v = await t.app.database.run(verifyAudit);
    expect(v).toMatchObject({ ok: true, length: before + 2 });
  });

  it('chains entries written before the chain existed', async () => {
    await tampered(async () => {
      sqlite().prepare('DELETE FROM audit_log').run();
      for (let i = 0; i < 3; i++) sqlite().prepare(`INSERT INTO audit_log (action, target_type, details) VALUES ('legacy', 'x', '{"i":${i}}')`).run();
      expect((await t.app.database.run(verifyAudit)).ok).toBe(false);
      expect(await t.app.database.tx(sealLegacyAudit)).toBe(3);
      await t.app.database.tx((s) => appendAudit(s, { actorUserId: null, action: 'after', targetType: 'x' }));
      expect(await t.app.database.run(verifyAudit)).toMatchObject({ ok: true, length: 4 });
    });
  });
});

describe('audit API', () => {
  it('is for administrators only', async () => {
    expect((await get('/api/audit', sec)).statusCode).toBe(403);
    expect((await get('/api/audit/verify', sec)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401);
  });

  it('audits document links of agenda items and filters by action, actor, target, dates and pages', async () => {
    const item = (
      await t.app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/agenda`, headers: sec, payload: { title: 'Mục có tài liệu', plannedMinutes: 5, documentIds: [3] } })
    ).json();
    await t.app.inject({ method: 'PATCH', url: `/api/meetings/${meetingId}/agenda/${item.id}`, headers: sec, payload: { documentIds: [4] } });
    const links = (await get('/api/audit?action=document.attach&targetType=document&limit=500')).json();
    const ofItem = links.items.filter((e: { details: { agendaItemId: number } }) => e.details.agendaItemId === item.id);
    // The POST attached 3; the PATCH attached 4 and detached 3.
    const seen = ofItem.map((e: { targetId: string; details: { attached: boolean } }) => `${e.targetId}:${e.details.attached}`).sort();
    expect(seen).toEqual(['3:false', '3:true', '4:true']);
    const detached = { items: ofItem.filter((e: { details: { attached: boolean } }) => !e.details.attached) };
    expect(detached.items[0]).toMatchObject({ details: { meetingId, attached: false }, seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const secId = detached.items[0].actorUserId;
    const byActor = (await get(`/api/audit?actorUserId=${secId}&limit=500`)).json();
    expect(byActor.items.length).toBeGreaterThan(2);
    expect(byActor.items.every((e: { actorUserId: number }) => e.actorUserId === secId)).toBe(true);

    const all = (await get('/api/audit?limit=2')).json();
    const page2 = (await get('/api/audit?limit=2&offset=2')).json();
    expect(all.items).toHaveLength(2);
    expect(page2.total).toBe(all.total);
    expect(page2.items[0].id).toBeLessThan(all.items[1].id);

    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await get(`/api/audit?from=${encodeURIComponent(future)}`)).json().total).toBe(0);
    expect((await get(`/api/audit?to=${encodeURIComponent(future)}`)).json().total).toBe(all.total);
    expect((await get('/api/audit?from=yesterday')).statusCode).toBe(400);
  });
});
