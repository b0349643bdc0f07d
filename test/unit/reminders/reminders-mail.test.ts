/** The Vietnamese e-mail texts: durations read naturally, and confidential titles never leave in a mail. */
import { describe, expect, it } from 'vitest';
import type { DocumentInfo } from '../../../shared/src/index.ts';
import { publishedMail, reminderMail, spanVi } from '../../../server/src/modules/reminders/reminders.mail.ts';

const doc = (title: string, classification: DocumentInfo['classification']) => ({ title, classification }) as DocumentInfo;

describe('reminder and publish mails', () => {
  it('says how long is left in Vietnamese', () => {
    expect(spanVi(1440)).toBe('24 giờ');
    expect(spanVi(2880)).toBe('2 ngày');
    expect(spanVi(60)).toBe('1 giờ');
    expect(spanVi(90)).toBe('1 giờ 30 phút');
    expect(spanVi(30)).toBe('30 phút');
  });

  it('names the meeting, its time in Vietnam and its place', () => {
    const m = reminderMail({ fullName: 'Nguyễn Văn An', meetingId: 3, meetingTitle: 'Hội nghị sơ kết', startsAt: '2030-05-20T01:30:00.000Z', place: 'Tỉnh Sơn Hà', offsetMinutes: 60, baseUrl: 'https://10.20.0.5:3000' });
    expect(m.subject).toBe('Nhắc lịch họp: Hội nghị sơ kết (còn 1 giờ)');
    expect(m.text).toMatch(/^Kính gửi đồng chí Nguyễn Văn An,\n/);
    expect(m.text).toMatch(/Thời gian: .*08:30/);
    expect(m.text).toContain('Địa điểm: Tỉnh Sơn Hà');
    expect(m.text).toContain('https://10.20.0.5:3000/my');
  });

  it('lists published titles but only counts confidential ones', () => {
    const m = publishedMail({ fullName: 'Trần Thị Bình', meetingTitle: 'Hội nghị sơ kết', baseUrl: 'https://x', documents: [doc('Chương trình', 'public_to_meeting'), doc('Báo cáo nhân sự', 'confidential')] });
    expect(m.subject).toBe('Tài liệu mới: Hội nghị sơ kết');
    expect(m.text).toContain('- Chương trình');
    expect(m.text).not.toContain('Báo cáo nhân sự');
    expect(m.text).toContain('- 1 tài liệu mật');
  });
});
