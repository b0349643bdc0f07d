import { sql } from 'drizzle-orm';
import type { Role } from '@diemcau/shared';
import { hashPassword } from '../modules/auth/password.ts';
import { seedReportHistory } from '../modules/reports/reports.seed.ts';
import type { Db } from './index.ts';
import { agendaItems, bridgePoints, meetingBridgePoints, meetingDelegates, meetings, units, users } from './schema.ts';
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
 * database has no units yet. Returns null when it did nothing.
 */
export async function seedDemo(db: Db, opts: { history?: boolean } = {}): Promise<SeedSummary | null> {
  const existing = db.select({ n: sql<number>`count(*)` }).from(units).get();
  if (existing && existing.n > 0) return null;

  // One hash per role keeps seeding fast (scrypt is deliberately slow).
  const hashes = Object.fromEntries(
    await Promise.all(Object.entries(DEMO_PASSWORDS).map(async ([r, p]) => [r, await hashPassword(p)] as const)),
  ) as Record<Role, string>;
  const communes = communeNames(200);

  const seeded = db.transaction((tx) => {
    const addUser = (username: string, fullName: string, role: Role, unitId: number | null, title = '', home: number | null = null) =>
      tx.insert(users).values({ username, passwordHash: hashes[role], fullName, role, unitId, title, homeBridgePointId: home }).returning({ id: users.id }).get().id;
    const addUnit = (parentId: number | null, provinceId: number | null, level: 'province' | 'district' | 'commune', code: string, name: string) => {
      const id = tx.insert(units).values({ parentId, provinceId, level, code, name }).returning({ id: units.id }).get().id;
      if (provinceId === null) tx.update(units).set({ provinceId: id }).where(sql`id = ${id}`).run();
      return id;
    };
    const addBridge = (unitId: number, level: 'provincial' | 'district' | 'commune', name: string, roomName: string, opUser: string, opName: string) => {
      const operatorUserId = addUser(opUser, opName, 'bridge_operator', unitId, 'Kỹ thuật viên điểm cầu');
      return tx.insert(bridgePoints).values({ unitId, level, name, roomName, operatorUserId }).returning({ id: bridgePoints.id }).get().id;
    };

    const provinceId = addUnit(null, null, 'province', PROVINCE.code, PROVINCE.name);
    const bridgeIds: number[] = [];
    bridgeIds.push(addBridge(provinceId, 'provincial', 'Điểm cầu Tỉnh ủy', 'Hội trường lớn Tỉnh ủy', 'cau.tinh1', 'Kỹ thuật Hội trường Tỉnh ủy'));
    bridgeIds.push(addBridge(provinceId, 'provincial', 'Điểm cầu UBND tỉnh', 'Phòng họp trực tuyến UBND tỉnh', 'cau.tinh2', 'Kỹ thuật UBND tỉnh'));

    const districtBridges: number[] = [];
    let c = 0;
    DISTRICTS.forEach((d, di) => {
      const districtId = addUnit(provinceId, provinceId, 'district', d.code, d.name);
      const bp = addBridge(districtId, 'district', `Điểm cầu ${d.name}`, `Phòng họp ${d.name.replace(/^(Huyện|Thị xã|Thành phố) /, 'Huyện ủy ')}`, `cau.${d.code.toLowerCase()}`, `Kỹ thuật ${d.name}`);
      districtBridges.push(bp);
      bridgeIds.push(bp);
      // Spread the 200 communes as evenly as possible over the districts.
      const share = Math.floor(200 / DISTRICTS.length) + (di < 200 % DISTRICTS.length ? 1 : 0);
      for (let k = 1; k <= share; k++, c++) {
        const code = `${d.code}${String(k).padStart(2, '0')}`;
        const name = communes[c]!;
        const communeId = addUnit(districtId, provinceId, 'commune', code, name);
        bridgeIds.push(addBridge(communeId, 'commune', `Điểm cầu ${name}`, `Hội trường ${name.replace(/^(Xã|Phường|Thị trấn) /, 'UBND ')}`, `cau.${code.toLowerCase()}`, `Kỹ thuật ${name}`));
      }
    });

    const secretariatId = addUser('vanphong', 'Văn phòng Tỉnh ủy', 'secretariat', provinceId, 'Chánh Văn phòng Tỉnh ủy');
    addUser('admin', 'Quản trị hệ thống', 'admin', null, 'Quản trị viên');
    addUser('quansat', 'Trần Thị Quan Sát', 'observer', provinceId, 'Phóng viên Báo Sơn Hà');

    // 30 delegates: 10 provincial at the provincial hall, 20 spread over the district halls.
    const delegateIds: { id: number; bp: number }[] = [];
    for (let i = 1; i <= 30; i++) {
      const bp = i <= 10 ? bridgeIds[0]! : districtBridges[(i - 11) % districtBridges.length]!;
      const id = addUser(`daibieu${String(i).padStart(2, '0')}`, personName(i), 'delegate', provinceId, DELEGATE_TITLES[i % DELEGATE_TITLES.length], bp);
      delegateIds.push({ id, bp });
    }

    const start = new Date(Date.now() + 3 * 24 * 3600_000);
    start.setUTCHours(1, 30, 0, 0); // 08:30 Vietnam time
    const meetingId = tx
      .insert(meetings)
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
      .returning({ id: meetings.id })
      .get().id;
    AGENDA.forEach((a, position) => tx.insert(agendaItems).values({ meetingId, position, ...a }).run());
    for (const bridgePointId of bridgeIds) tx.insert(meetingBridgePoints).values({ meetingId, bridgePointId }).run();
    for (const d of delegateIds) tx.insert(meetingDelegates).values({ meetingId, userId: d.id, bridgePointId: d.bp }).run();

    return { summary: { units: 1 + DISTRICTS.length + 200, bridgePoints: bridgeIds.length, users: bridgeIds.length + 33, meetings: 1 }, provinceId, secretariatId };
  });
  // After the scheduled conference, so it keeps id 1; a year of held meetings for the report page.
  if (opts.history === false) return seeded.summary;
  const history = seedReportHistory(db, seeded.provinceId, seeded.secretariatId);
  return { ...seeded.summary, meetings: 1 + history.meetings };
}
