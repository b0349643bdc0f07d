import { count, eq, inArray } from 'drizzle-orm';
import type { Role } from '@diemcau/shared';
import { hashPassword } from '../modules/auth/password.ts';
import { seedReportHistory } from '../modules/reports/reports.seed.ts';
import { insertMany } from './bulk-insert.ts';
import type { Database, Store } from './database.ts';
import { lockForTx } from './dialect.ts';
import { AGENDA, DELEGATE_TITLES, DEMO_PASSWORDS, DISTRICTS, PROVINCE, communeNames, personName } from './seed-data.ts';

export interface SeedSummary {
  units: number;
  bridgePoints: number;
  users: number;
  meetings: number;
}

/** Demo accounts worth printing at start (operators follow the `cau.<unit code>` pattern). */
export const DEMO_ACCOUNTS: readonly { username: string; role: Role }[] = [
  { username: 'admin', role: 'admin' },
  { username: 'vanphong', role: 'secretariat' },
  { username: 'cau.tinh1', role: 'bridge_operator' },
  { username: 'cau.991', role: 'bridge_operator' },
  { username: 'cau.99101', role: 'bridge_operator' },
  { username: 'daibieu01', role: 'delegate' },
  { username: 'quansat', role: 'observer' },
];

/**
 * Seeds one province with 2 provincial, 11 district and 200 commune bridge
 * points, an account per role and a scheduled conference — only when the
 * database has no units yet. Returns null when it did nothing. On either
 * engine, in one transaction: nodes starting together on one PostgreSQL
 * server seed it once.
 */
export async function seedDemo(database: Database, opts: { history?: boolean } = {}): Promise<SeedSummary | null> {
  if (!(await database.run(isEmpty))) return null;
  // Before the transaction, which may await only its own queries. One hash per role keeps seeding
  // fast (scrypt is deliberately slow).
  const hashes = Object.fromEntries(
    await Promise.all(Object.entries(DEMO_PASSWORDS).map(async ([r, p]) => [r, await hashPassword(p)] as const)),
  ) as Record<Role, string>;
  return database.tx(async (s) => {
    await lockForTx(s, 'seed-demo');
    if (!(await isEmpty(s))) return null;
    const seeded = await seedProvince(s, hashes);
    // After the scheduled conference, so it keeps id 1; a year of held meetings for the report page.
    if (opts.history === false) return seeded.summary;
    const history = await seedReportHistory(s, seeded.provinceId, seeded.secretariatId);
    return { ...seeded.summary, meetings: 1 + history.meetings };
  });
}

async function isEmpty({ q, t }: Store): Promise<boolean> {
  const [units] = await q.select({ n: count() }).from(t.units);
  return units!.n === 0;
}

type NewUser = Pick<Store['t']['users']['$inferInsert'], 'username' | 'fullName' | 'role' | 'unitId' | 'title' | 'homeBridgePointId'>;

/**
 * The province, its units, bridge points, accounts and the conference. Rows go in with a few
 * multi-row INSERTs, in the order that gives each the id it had when written one by one; the ids
 * are then read back by unique key (units by code, users by username, bridge points by operator).
 */
async function seedProvince(s: Store, hashes: Record<Role, string>) {
  const { q, t } = s;
  const communes = communeNames(200);

  const [province] = await q.insert(t.units).values({ level: 'province', code: PROVINCE.code, name: PROVINCE.name }).returning({ id: t.units.id });
  const provinceId = province!.id;
  await q.update(t.units).set({ provinceId }).where(eq(t.units.id, provinceId));

  // Each district, then its communes: the 200 communes spread as evenly as possible over the districts.
  type Bridge = { unitCode: string; level: 'provincial' | 'district' | 'commune'; name: string; roomName: string; opUser: string; opName: string };
  const bridges: Bridge[] = [
    { unitCode: PROVINCE.code, level: 'provincial', name: 'Điểm cầu Tỉnh ủy', roomName: 'Hội trường lớn Tỉnh ủy', opUser: 'cau.tinh1', opName: 'Kỹ thuật Hội trường Tỉnh ủy' },
    { unitCode: PROVINCE.code, level: 'provincial', name: 'Điểm cầu UBND tỉnh', roomName: 'Phòng họp trực tuyến UBND tỉnh', opUser: 'cau.tinh2', opName: 'Kỹ thuật UBND tỉnh' },
  ];
  let c = 0;
  for (const [di, d] of DISTRICTS.entries()) {
    const [district] = await q.insert(t.units).values({ parentId: provinceId, provinceId, level: 'district', code: d.code, name: d.name }).returning({ id: t.units.id });
    bridges.push({ unitCode: d.code, level: 'district', name: `Điểm cầu ${d.name}`, roomName: `Phòng họp ${d.name.replace(/^(Huyện|Thị xã|Thành phố) /, 'Huyện ủy ')}`, opUser: `cau.${d.code.toLowerCase()}`, opName: `Kỹ thuật ${d.name}` });
    const share = Math.floor(200 / DISTRICTS.length) + (di < 200 % DISTRICTS.length ? 1 : 0);
    const own = Array.from({ length: share }, (_, k) => ({ code: `${d.code}${String(k + 1).padStart(2, '0')}`, name: communes[c++]! }));
    await insertMany(s, t.units, own.map((u) => ({ parentId: district!.id, provinceId, level: 'commune' as const, ...u })));
    for (const u of own) {
      bridges.push({ unitCode: u.code, level: 'commune', name: `Điểm cầu ${u.name}`, roomName: `Hội trường ${u.name.replace(/^(Xã|Phường|Thị trấn) /, 'UBND ')}`, opUser: `cau.${u.code.toLowerCase()}`, opName: `Kỹ thuật ${u.name}` });
    }
  }
  const unitIds = new Map((await q.select({ id: t.units.id, code: t.units.code }).from(t.units).where(eq(t.units.provinceId, provinceId))).map((u) => [u.code, u.id]));

  const addUsers = async (users: NewUser[]): Promise<Map<string, number>> => {
    await insertMany(s, t.users, users.map((u) => ({ ...u, passwordHash: hashes[u.role] })));
    const names = users.map((u) => u.username);
    return new Map((await q.select({ id: t.users.id, username: t.users.username }).from(t.users).where(inArray(t.users.username, names))).map((u) => [u.username, u.id]));
  };
  const operators = await addUsers(
    bridges.map((b) => ({ username: b.opUser, fullName: b.opName, role: 'bridge_operator', unitId: unitIds.get(b.unitCode)!, title: 'Kỹ thuật viên điểm cầu', homeBridgePointId: null })),
  );
  await insertMany(
    s,
    t.bridgePoints,
    bridges.map((b) => ({ unitId: unitIds.get(b.unitCode)!, level: b.level, name: b.name, roomName: b.roomName, operatorUserId: operators.get(b.opUser)! })),
  );
  const bridgeOf = new Map((await q.select({ id: t.bridgePoints.id, op: t.bridgePoints.operatorUserId }).from(t.bridgePoints)).map((b) => [b.op, b.id]));
  const bridgeIds = bridges.map((b) => bridgeOf.get(operators.get(b.opUser)!)!);
  const districtBridges = bridges.flatMap((b, i) => (b.level === 'district' ? [bridgeIds[i]!] : []));

  // 30 delegates: 10 provincial at the provincial hall, 20 spread over the district halls.
  const delegates = Array.from({ length: 30 }, (_, k) => {
    const i = k + 1;
    const bp = i <= 10 ? bridgeIds[0]! : districtBridges[(i - 11) % districtBridges.length]!;
    return { username: `daibieu${String(i).padStart(2, '0')}`, fullName: personName(i), role: 'delegate' as const, unitId: provinceId, title: DELEGATE_TITLES[i % DELEGATE_TITLES.length]!, homeBridgePointId: bp };
  });
  const people = await addUsers([
    { username: 'vanphong', fullName: 'Văn phòng Tỉnh ủy', role: 'secretariat', unitId: provinceId, title: 'Chánh Văn phòng Tỉnh ủy', homeBridgePointId: null },
    { username: 'admin', fullName: 'Quản trị hệ thống', role: 'admin', unitId: null, title: 'Quản trị viên', homeBridgePointId: null },
    { username: 'quansat', fullName: 'Trần Thị Quan Sát', role: 'observer', unitId: provinceId, title: 'Phóng viên Báo Sơn Hà', homeBridgePointId: null },
    ...delegates,
  ]);
  const secretariatId = people.get('vanphong')!;

  const start = new Date(Date.now() + 3 * 24 * 3600_000);
  start.setUTCHours(1, 30, 0, 0); // 08:30 Vietnam time
  const [meeting] = await q
    .insert(t.meetings)
    .values({
      title: 'Hội nghị Ban Chấp hành Đảng bộ tỉnh sơ kết 6 tháng đầu năm',
      kind: 'executive_committee',
      description: 'Hội nghị trực tuyến kết nối điểm cầu cấp tỉnh, huyện và xã.',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 4 * 3600_000).toISOString(),
      status: 'scheduled',
      chairUnitId: provinceId,
      createdBy: secretariatId,
    })
    .returning({ id: t.meetings.id });
  const meetingId = meeting!.id;
  await insertMany(s, t.agendaItems, AGENDA.map((a, position) => ({ meetingId, position, ...a })));
  await insertMany(s, t.meetingBridgePoints, bridgeIds.map((bridgePointId) => ({ meetingId, bridgePointId })));
  await insertMany(s, t.meetingDelegates, delegates.map((d) => ({ meetingId, userId: people.get(d.username)!, bridgePointId: d.homeBridgePointId })));

  return { summary: { units: unitIds.size, bridgePoints: bridgeIds.length, users: operators.size + people.size, meetings: 1 }, provinceId, secretariatId };
}
