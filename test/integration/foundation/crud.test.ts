// Success path of every REST route, as admin and as the province secretariat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let admin: Record<string, string>;
let sec: Record<string, string>;
beforeAll(async () => {
  t = await buildTestApp();
  admin = bearer(await login(t.app, 'admin'));
  sec = bearer(await login(t.app, 'vanphong'));
});
afterAll(() => t.close());

const call = async (method: string, url: string, headers: Record<string, string>, payload?: unknown, expected = 200) => {
  const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined && { payload: payload as object }) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(expected);
  return res.json();
};

describe('units', () => {
  it('lists, reads, creates, updates and deletes', async () => {
    const all = await call('GET', '/api/units', sec);
    expect(all).toHaveLength(1 + 11 + 200);
    const province = all.find((u: { level: string }) => u.level === 'province');
    expect(await call('GET', `/api/units/${province.id}`, sec)).toMatchObject({ code: '99', name: 'Tỉnh Sơn Hà' });
    const district = all.find((u: { level: string }) => u.level === 'district');
    const created = await call('POST', '/api/units', admin, { parentId: district.id, code: '99150', name: 'Xã Mới Lập' }, 201);
    expect(created).toMatchObject({ level: 'commune', provinceId: province.id, parentId: district.id });
    expect(await call('PATCH', `/api/units/${created.id}`, admin, { name: 'Xã Đổi Tên' })).toMatchObject({ name: 'Xã Đổi Tên' });
    await call('DELETE', `/api/units/${created.id}`, admin);
    await call('GET', `/api/units/${created.id}`, admin, undefined, 404);
  });

  it('creates a new province as its own root', async () => {
    const p = await call('POST', '/api/units', admin, { parentId: null, code: '77', name: 'Tỉnh Thử Nghiệm' }, 201);
    expect(p).toMatchObject({ level: 'province', provinceId: p.id, parentId: null });
  });
});

describe('bridge points', () => {
  it('lists, filters, reads, creates, updates and deletes', async () => {
    const all = await call('GET', '/api/bridge-points', sec);
    expect(all).toHaveLength(213);
    const levels = all.reduce((acc: Record<string, number>, b: { level: string }) => ({ ...acc, [b.level]: (acc[b.level] ?? 0) + 1 }), {});
    expect(levels).toEqual({ provincial: 2, district: 11, commune: 200 });
    const one = all[5];
    expect(await call('GET', `/api/bridge-points/${one.id}`, sec)).toEqual(one);
    expect(await call('GET', `/api/bridge-points?unitId=${one.unitId}`, sec)).toEqual([one]);
    const units = await call('GET', '/api/units', admin);
    const commune = units.find((u: { level: string }) => u.level === 'commune');
    const created = await call('POST', '/api/bridge-points', admin, { unitId: commune.id, name: 'Điểm cầu dự phòng', roomName: 'Phòng 2' }, 201);
    expect(created).toMatchObject({ level: 'commune', operatorUserId: null });
    expect(await call('PATCH', `/api/bridge-points/${created.id}`, admin, { roomName: 'Phòng 3' })).toMatchObject({ roomName: 'Phòng 3' });
    await call('DELETE', `/api/bridge-points/${created.id}`, admin);
    await call('GET', `/api/bridge-points/${created.id}`, admin, undefined, 404);
  });
});

describe('users', () => {
  it('lists, reads, creates, updates and deactivates', async () => {
    const delegates = await call('GET', '/api/users?role=delegate', sec);
    expect(delegates).toHaveLength(30);
    expect(delegates[0].passwordHash).toBeUndefined();
    expect(await call('GET', `/api/users/${delegates[0].id}`, sec)).toEqual(delegates[0]);
    const me = await call('GET', '/api/auth/me', sec);
    const created = await call('POST', '/api/users', sec, { username: 'daibieu.moi', password: 'MatKhau@123', fullName: 'Lê Văn Mới', role: 'delegate', unitId: me.provinceId }, 201);
    expect(created).toMatchObject({ role: 'delegate', active: true });
    expect(await login(t.app, 'daibieu.moi', 'MatKhau@123')).toBeTruthy();
    expect(await call('PATCH', `/api/users/${created.id}`, sec, { title: 'Đại biểu khách mời', password: 'MatKhau@456' })).toMatchObject({ title: 'Đại biểu khách mời' });
    expect(await login(t.app, 'daibieu.moi', 'MatKhau@456')).toBeTruthy();
    await call('DELETE', `/api/users/${created.id}`, sec);
    expect(await call('GET', `/api/users/${created.id}`, sec)).toMatchObject({ active: false });
    const staff = await call('POST', '/api/users', admin, { username: 'vanphong2', password: 'MatKhau@123', fullName: 'Thư ký 2', role: 'secretariat', unitId: me.provinceId }, 201);
    expect(staff.role).toBe('secretariat');
  });
});

describe('meetings, invitations and agenda', () => {
  it('runs the whole lifecycle', async () => {
    const me = await call('GET', '/api/auth/me', sec);
    const listed = await call('GET', '/api/meetings', sec);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ status: 'scheduled' });
    const m = await call('POST', '/api/meetings', sec, {
      title: 'Hội nghị thử', kind: 'conference', startsAt: '2030-01-02T01:00:00.000Z', endsAt: '2030-01-02T04:00:00.000Z', chairUnitId: me.provinceId,
    }, 201);
    expect(m).toMatchObject({ status: 'draft', createdBy: me.user.id, description: '' });
    expect(await call('GET', `/api/meetings/${m.id}`, sec)).toMatchObject({ id: m.id });
    expect(await call('PATCH', `/api/meetings/${m.id}`, sec, { title: 'Hội nghị thử (sửa)' })).toMatchObject({ title: 'Hội nghị thử (sửa)' });

    // agenda
    const a = await call('POST', `/api/meetings/${m.id}/agenda`, sec, { title: 'Khai mạc', plannedMinutes: 5 }, 201);
    const b = await call('POST', `/api/meetings/${m.id}/agenda`, sec, { title: 'Báo cáo', presenter: 'Đ/c Bí thư', plannedMinutes: 30 }, 201);
    const c = await call('POST', `/api/meetings/${m.id}/agenda`, sec, { title: 'Bế mạc', plannedMinutes: 5 }, 201);
    expect([a.position, b.position, c.position]).toEqual([0, 1, 2]);
    expect(await call('PATCH', `/api/meetings/${m.id}/agenda/${b.id}`, sec, { plannedMinutes: 40 })).toMatchObject({ plannedMinutes: 40 });
    const reordered = await call('PUT', `/api/meetings/${m.id}/agenda/order`, sec, { itemIds: [b.id, a.id, c.id] });
    expect(reordered.map((i: { id: number }) => i.id)).toEqual([b.id, a.id, c.id]);
    await call('DELETE', `/api/meetings/${m.id}/agenda/${a.id}`, sec);
    const agenda = await call('GET', `/api/meetings/${m.id}/agenda`, sec);
    expect(agenda.map((i: { id: number; position: number }) => [i.id, i.position])).toEqual([[b.id, 0], [c.id, 1]]);

    // invitations: direct bridge points, a whole district via its unit, delegates
    const bps = await call('GET', '/api/bridge-points', sec);
    const units = await call('GET', '/api/units', sec);
    const district = units.find((u: { level: string }) => u.level === 'district');
    const districtCommunes = units.filter((u: { parentId: number }) => u.parentId === district.id).length;
    let inv = await call('POST', `/api/meetings/${m.id}/bridge-points`, sec, { bridgePointIds: [bps[0].id, bps[1].id] });
    expect(inv.bridgePoints).toHaveLength(2);
    inv = await call('POST', `/api/meetings/${m.id}/bridge-points`, sec, { unitIds: [district.id] });
    expect(inv.bridgePoints).toHaveLength(2 + 1 + districtCommunes);
    inv = await call('DELETE', `/api/meetings/${m.id}/bridge-points/${bps[1].id}`, sec);
    expect(inv.bridgePoints.map((b: { id: number }) => b.id)).not.toContain(bps[1].id);
    const delegates = await call('GET', '/api/users?role=delegate', sec);
    inv = await call('POST', `/api/meetings/${m.id}/delegates`, sec, { userIds: [delegates[0].id, delegates[1].id, delegates[2].id], bridgePointId: bps[0].id });
    expect(inv.delegates).toHaveLength(3);
    expect(inv.delegates[0]).toMatchObject({ bridgePointId: bps[0].id });
    inv = await call('DELETE', `/api/meetings/${m.id}/delegates/${delegates[2].id}`, sec);
    expect(inv.delegates).toHaveLength(2);
    expect(await call('GET', `/api/meetings/${m.id}/invitations`, sec)).toEqual(inv);

    // an invited delegate and bridge operator now see the meeting
    const d = bearer(await login(t.app, delegates[0].username));
    expect((await call('GET', '/api/meetings', d)).map((x: { id: number }) => x.id)).toContain(m.id);
    expect(await call('GET', `/api/meetings/${m.id}/agenda`, d)).toHaveLength(2);

    // status transitions
    for (const to of ['scheduled', 'live', 'ended', 'archived']) {
      expect(await call('POST', `/api/meetings/${m.id}/transition`, sec, { to })).toMatchObject({ status: to });
    }

    // a draft meeting can be deleted
    const draft = await call('POST', '/api/meetings', sec, { title: 'Nháp', kind: 'briefing', startsAt: '2030-01-03T01:00:00.000Z', endsAt: '2030-01-03T02:00:00.000Z', chairUnitId: me.provinceId }, 201);
    await call('DELETE', `/api/meetings/${draft.id}`, sec);
    await call('GET', `/api/meetings/${draft.id}`, sec, undefined, 404);
  });
});
