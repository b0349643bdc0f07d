// Delegates belong to a hall (issue 15): a home bridge point from their unit, editable, used when they are invited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, login, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
let sec: Record<string, string>;
beforeAll(async () => {
  t = await buildTestApp();
  sec = bearer(await login(t.app, 'vanphong'));
});
afterAll(() => t.close());

const call = async (method: string, url: string, payload?: unknown, expected = 200) => {
  const res = await t.app.inject({ method: method as 'GET', url, headers: sec, ...(payload !== undefined && { payload: payload as object }) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(expected);
  return res.json();
};
const row = <T>(sql: string, ...args: unknown[]) => t.app.db.$client.prepare(sql).get(...args) as T;
/** A commune unit and its bridge point, by the unit code. */
const commune = (code: string) => row<{ unitId: number; bp: number }>('SELECT u.id AS unitId, b.id AS bp FROM units u JOIN bridge_points b ON b.unit_id = u.id WHERE u.code = ?', code);

describe('home bridge points', () => {
  it("a new delegate's home bridge comes from their unit; the secretariat can change it within the province", async () => {
    const c = commune('99101');
    const created = await call('POST', '/api/users', { username: 'daibieu.xa', password: 'MatKhau@123', fullName: 'Lò Văn Xã', role: 'delegate', unitId: c.unitId }, 201);
    expect(created.homeBridgePointId).toBe(c.bp);
    const other = commune('99102');
    expect((await call('PATCH', `/api/users/${created.id}`, { homeBridgePointId: other.bp })).homeBridgePointId).toBe(other.bp);
    const bad = await t.app.inject({ method: 'PATCH', url: `/api/users/${created.id}`, headers: sec, payload: { homeBridgePointId: 999_999 } });
    expect(bad.statusCode).toBe(404);
    // A staff account gets no home bridge by default.
    const observer = await call('POST', '/api/users', { username: 'quansat.xa', password: 'MatKhau@123', fullName: 'Quan Sát Xã', role: 'observer', unitId: c.unitId }, 201);
    expect(observer.homeBridgePointId).toBeNull();
  });

  it('invited without a seat, delegates sit at their home hall (when it is invited); roll-call and turnout count them there', async () => {
    const a = commune('99103');
    const b = commune('99104');
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const m = await call('POST', '/api/meetings', { title: 'Hội nghị xã', kind: 'executive_committee', startsAt: start, endsAt: new Date(Date.parse(start) + 3_600_000).toISOString(), chairUnitId: row<{ id: number }>("SELECT id FROM units WHERE level = 'province'").id }, 201);
    const at = await call('POST', '/api/users', { username: 'daibieu.xa3', password: 'MatKhau@123', fullName: 'Hà Thị Ba', role: 'delegate', unitId: a.unitId }, 201);
    const away = await call('POST', '/api/users', { username: 'daibieu.xa4', password: 'MatKhau@123', fullName: 'Hà Văn Bốn', role: 'delegate', unitId: b.unitId }, 201);
    const phone = await call('POST', '/api/users', { username: 'daibieu.xa5', password: 'MatKhau@123', fullName: 'Hà Văn Năm', role: 'delegate', unitId: a.unitId }, 201);
    // Only commune A's hall is invited: the delegate of commune B has no invited hall and attends on their own device.
    await call('POST', `/api/meetings/${m.id}/bridge-points`, { bridgePointIds: [a.bp] });
    await call('POST', `/api/meetings/${m.id}/delegates`, { userIds: [at.id, away.id] });
    // An explicit null still means "on their own device".
    const inv = await call('POST', `/api/meetings/${m.id}/delegates`, { userIds: [phone.id], bridgePointId: null });
    const seat = (id: number) => inv.delegates.find((d: { userId: number }) => d.userId === id).bridgePointId;
    expect([seat(at.id), seat(away.id), seat(phone.id)]).toEqual([a.bp, null, null]);

    // The room's roster (roll-call and turnout per level and bridge point) puts the delegate in the commune's hall.
    const roster = (await t.app.conference.state(m.id)).presence.delegates;
    expect(roster.find((d) => d.userId === at.id)).toMatchObject({ bridgePointId: a.bp, level: 'commune' });
    expect(roster.find((d) => d.userId === phone.id)).toMatchObject({ bridgePointId: null });

    // Inviting B's hall and re-inviting moves its delegate home.
    await call('POST', `/api/meetings/${m.id}/bridge-points`, { bridgePointIds: [b.bp] });
    const again = await call('POST', `/api/meetings/${m.id}/delegates`, { userIds: [away.id] });
    expect(again.delegates.find((d: { userId: number }) => d.userId === away.id).bridgePointId).toBe(b.bp);
  });

  it('the demo delegates have home bridges and sit there in the demo conference', () => {
    const unseated = row<{ n: number }>("SELECT count(*) AS n FROM users WHERE role = 'delegate' AND home_bridge_point_id IS NULL").n;
    expect(unseated).toBe(0);
    const away = row<{ n: number }>(
      'SELECT count(*) AS n FROM meeting_delegates md JOIN users u ON u.id = md.user_id WHERE md.meeting_id = 1 AND md.bridge_point_id IS NOT u.home_bridge_point_id',
    ).n;
    expect(away).toBe(0);
  });
});
