/**
 * Demo data for a fictional province. Names follow real Vietnamese
 * administrative naming so screens look as they will in use.
 */
export const PROVINCE = { code: '99', name: 'Tỉnh Sơn Hà' };

export const DISTRICTS: readonly { code: string; name: string }[] = [
  { code: '991', name: 'Thành phố Sơn Hà' },
  { code: '992', name: 'Thị xã Hồng Lĩnh' },
  { code: '993', name: 'Huyện Thanh Bình' },
  { code: '994', name: 'Huyện Yên Sơn' },
  { code: '995', name: 'Huyện Phú Lương' },
  { code: '996', name: 'Huyện Tân Kỳ' },
  { code: '997', name: 'Huyện Đức Thọ' },
  { code: '998', name: 'Huyện Vĩnh Lộc' },
  { code: '999', name: 'Huyện Cẩm Xuyên' },
  { code: '990', name: 'Huyện Hương Khê' },
  { code: '98A', name: 'Huyện Kỳ Anh' },
];

const COMMUNE_WORDS = [
  'An', 'Bình', 'Cẩm', 'Đông', 'Đức', 'Gia', 'Hòa', 'Hồng', 'Hưng', 'Hương', 'Kỳ', 'Lạc', 'Liên', 'Long', 'Minh',
  'Nam', 'Ngọc', 'Phú', 'Phúc', 'Quang', 'Sơn', 'Tân', 'Thạch', 'Thanh', 'Thịnh', 'Thuận', 'Tiến', 'Trung', 'Tường',
  'Vĩnh', 'Xuân', 'Yên',
];

/** `count` unique commune names, deterministic. Pairs (i, i+k) give 32×31 distinct names. */
export function communeNames(count = 200): string[] {
  const n = COMMUNE_WORDS.length;
  if (count > n * (n - 1)) throw new RangeError(`at most ${n * (n - 1)} commune names`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = COMMUNE_WORDS[i % n]!;
    const b = COMMUNE_WORDS[(i + 1 + Math.floor(i / n)) % n]!;
    const kind = i % 13 === 0 ? 'Thị trấn' : i % 5 === 0 ? 'Phường' : 'Xã';
    out.push(`${kind} ${a} ${b}`);
  }
  return out;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Phan', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Hữu', 'Ngọc', 'Xuân', 'Thu'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hùng', 'Lan', 'Long', 'Mai', 'Nam', 'Nga', 'Phong', 'Quân', 'Sơn', 'Tâm', 'Thắng', 'Thảo', 'Trung', 'Tuấn', 'Vinh', 'Yến'];

export function personName(i: number): string {
  return `${FAMILY[i % FAMILY.length]} ${MIDDLE[(i * 3) % MIDDLE.length]} ${GIVEN[(i * 7) % GIVEN.length]}`;
}

export const DELEGATE_TITLES = [
  'Ủy viên Ban Thường vụ Tỉnh ủy',
  'Tỉnh ủy viên',
  'Bí thư Huyện ủy',
  'Chủ tịch UBND huyện',
  'Bí thư Đảng ủy xã',
  'Trưởng ban Tuyên giáo',
  'Phó Chủ tịch HĐND tỉnh',
];

export const AGENDA = [
  { title: 'Khai mạc hội nghị, giới thiệu đại biểu', presenter: 'Văn phòng Tỉnh ủy', plannedMinutes: 10 },
  { title: 'Báo cáo kết quả thực hiện Nghị quyết 6 tháng đầu năm', presenter: 'Đồng chí Phó Bí thư Thường trực', plannedMinutes: 30 },
  { title: 'Thảo luận tại các điểm cầu', presenter: 'Các đại biểu', plannedMinutes: 45 },
  { title: 'Biểu quyết thông qua Nghị quyết', presenter: 'Chủ trì hội nghị', plannedMinutes: 15 },
  { title: 'Phát biểu kết luận, bế mạc', presenter: 'Đồng chí Bí thư Tỉnh ủy', plannedMinutes: 15 },
];

/** Demo passwords by role; printed at start so the secretariat can try each screen. */
export const DEMO_PASSWORDS = {
  admin: 'QuanTri@2026',
  secretariat: 'VanPhong@2026',
  bridge_operator: 'DiemCau@2026',
  delegate: 'DaiBieu@2026',
  observer: 'QuanSat@2026',
} as const;
