/** UI strings in Vietnamese for recording: the live badge, the chair's control and the playback page. */
export const viRecording = {
  'rec.on': 'Đang ghi hình',
  'rec.start': 'Bắt đầu ghi hình',
  'rec.stop': 'Dừng ghi hình',
  'rec.confirmStop': 'Dừng ghi hình hội nghị?',
  'rec.title': 'Bản ghi hình hội nghị',
  'rec.link': 'Bản ghi hình',
  'rec.back': 'Về hội nghị',
  'rec.none': 'Chưa có bản ghi hình nào bạn được xem.',
  'rec.item': 'Bản ghi số {n}',
  'rec.duration': 'Thời lượng',
  'rec.play': 'Xem bản ghi',
  'rec.chapters': 'Các mục chương trình',
  'rec.download': 'Tải về',
  'rec.interrupted': 'Bị gián đoạn (máy chủ dừng đột ngột); đã giữ các đoạn ghi hoàn chỉnh',
  'rec.status.ready': 'Hoàn tất',
  'rec.status.recording': 'Đang ghi',
  'rec.status.finalizing': 'Đang hoàn tất tệp',
  'rec.status.failed': 'Lỗi',
  'rec.status.deleted': 'Đã xoá',
  'rec.status.interrupted': 'Bị gián đoạn',
  'rec.confidentialNote': 'Bản ghi mật: chỉ xem trực tiếp trên trang này, không tải về; mỗi lần xem đều được ghi nhật ký.',
  'listen.on': 'Chỉ nghe (đường truyền yếu)',
  'listen.off': 'Xem cả hình',
} as const;

export type RecordingKey = keyof typeof viRecording;
