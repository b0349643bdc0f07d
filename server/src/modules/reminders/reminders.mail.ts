/**
 * The Vietnamese texts of reminder and new-material e-mails. Plain text: the
 * internal mail clients of commune halls render it everywhere.
 */
import type { DocumentInfo } from '@diemcau/shared';

const fmt = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'full', timeStyle: 'short' });
export const formatWhen = (iso: string) => fmt.format(new Date(iso));

/** 1440 → "24 giờ", 90 → "1 giờ 30 phút", 2880 → "2 ngày". */
export function spanVi(minutes: number): string {
  if (minutes % 1440 === 0 && minutes > 1440) return `${minutes / 1440} ngày`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h && `${h} giờ`, m && `${m} phút`].filter(Boolean).join(' ');
}

const SIGNATURE = '--\nHệ thống họp không giấy (điểm cầu). Thư gửi tự động, xin đừng trả lời.';

export interface ReminderMailFacts {
  fullName: string;
  meetingId: number;
  meetingTitle: string;
  startsAt: string;
  place: string;
  offsetMinutes: number;
  baseUrl: string;
}

export function reminderMail(f: ReminderMailFacts): { subject: string; text: string } {
  return {
    subject: `Nhắc lịch họp: ${f.meetingTitle} (còn ${spanVi(f.offsetMinutes)})`,
    text: [
      `Kính gửi đồng chí ${f.fullName},`,
      '',
      `Hội nghị "${f.meetingTitle}" sẽ bắt đầu sau khoảng ${spanVi(f.offsetMinutes)}.`,
      `Thời gian: ${formatWhen(f.startsAt)}`,
      ...(f.place ? [`Địa điểm: ${f.place}`] : []),
      '',
      `Xem chương trình và tài liệu: ${f.baseUrl}/my`,
      '',
      SIGNATURE,
    ].join('\n'),
  };
}

/**
 * New materials: titles of confidential (mật) documents are not mailed, only
 * their number; every document is opened in the app, never from the mail.
 */
export function publishedMail(f: { fullName: string; meetingTitle: string; documents: DocumentInfo[]; baseUrl: string }): { subject: string; text: string } {
  const open = f.documents.filter((d) => d.classification !== 'confidential');
  const secret = f.documents.length - open.length;
  return {
    subject: `Tài liệu mới: ${f.meetingTitle}`,
    text: [
      `Kính gửi đồng chí ${f.fullName},`,
      '',
      `Văn phòng đã gửi ${f.documents.length} tài liệu mới cho hội nghị "${f.meetingTitle}":`,
      ...open.map((d) => `- ${d.title}`),
      ...(secret ? [`- ${secret} tài liệu mật (chỉ xem trong hệ thống, sau khi đăng nhập bằng mật khẩu)`] : []),
      '',
      `Xem tài liệu: ${f.baseUrl}/my`,
      '',
      SIGNATURE,
    ].join('\n'),
  };
}
