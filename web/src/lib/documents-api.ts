/**
 * Client for the documents feature (issue 4): shapes from
 * shared/src/events/documents.ts. All paths the views use are here.
 */
import { humanSize as formatSize, type Classification, type DocumentDetail, type DocumentInfo, type ReceiptCounts, type Role } from '@diemcau/shared';
import { request, upload, type UploadHandle } from './api.ts';
import { lang } from './i18n.ts';

export type { Classification, DocumentInfo, ReceiptCounts };

const base = (meetingId: number) => `/api/meetings/${meetingId}/documents`;

export const documentsApi = {
  list: (meetingId: number) => request<DocumentInfo[]>('GET', base(meetingId)),
  get: (meetingId: number, id: number) => request<DocumentDetail>('GET', `${base(meetingId)}/${id}`),
  upload(meetingId: number, file: File, fields: { title: string; classification: Classification; audienceRoles?: Role[]; audienceUnitIds?: number[] }, onProgress: (f: number) => void): UploadHandle<DocumentInfo> {
    const form = new FormData();
    // Fields first: the server reads them before streaming the file.
    form.append('title', fields.title);
    form.append('classification', fields.classification);
    if (fields.audienceRoles?.length) form.append('audienceRoles', fields.audienceRoles.join(','));
    if (fields.audienceUnitIds?.length) form.append('audienceUnitIds', fields.audienceUnitIds.join(','));
    form.append('file', file, file.name);
    return upload<DocumentInfo>(base(meetingId), form, onProgress);
  },
  update: (meetingId: number, id: number, body: { title?: string; classification?: Classification; audienceRoles?: Role[]; audienceUnitIds?: number[] }) =>
    request<DocumentInfo>('PATCH', `${base(meetingId)}/${id}`, body),
  publish: (meetingId: number, id: number) => request<DocumentInfo>('POST', `${base(meetingId)}/${id}/publish`),
  receipts: (meetingId: number) => request<ReceiptCounts>('GET', `${base(meetingId)}/receipts`),
  downloadUrl: (meetingId: number, id: number) => `${base(meetingId)}/${id}/download`,
  pageUrl: (meetingId: number, id: number, page: number, width: number) => `${base(meetingId)}/${id}/pages/${page}?width=${width}`,
  qrSheetUrl: (meetingId: number) => `/api/meetings/${meetingId}/qr-sheet`,
};

/** File size in the current UI language. */
export const humanSize = (bytes: number): string => formatSize(bytes, lang.get());
