/**
 * Client for the documents feature (issue 4): shapes from
 * shared/src/events/documents.ts. All paths the views use are here.
 */
import { humanSize as formatSize, type Classification, type DocumentDetail, type DocumentInfo, type QrTokenInfo, type ReceiptCounts, type Role } from '@diemcau/shared';
import { request, upload, type UploadHandle } from './api.ts';
import { lang } from './i18n.ts';

export type { Classification, DocumentInfo, QrTokenInfo, ReceiptCounts };

const base = (meetingId: number) => `/api/meetings/${meetingId}/documents`;

export const documentsApi = {
  list: (meetingId: number) => request<DocumentInfo[]>('GET', base(meetingId)),
  get: (meetingId: number, id: number) => request<DocumentDetail>('GET', `${base(meetingId)}/${id}`),
  /** A new document, or with `docId` a new version of that document (its classification is kept unless raised). */
  upload(meetingId: number, file: File, fields: { title?: string; classification?: Classification; audienceRoles?: Role[]; audienceUnitIds?: number[] }, onProgress: (f: number) => void, docId?: number): UploadHandle<DocumentInfo> {
    const form = new FormData();
    // Fields first: the server reads them before streaming the file.
    if (fields.title) form.append('title', fields.title);
    if (fields.classification) form.append('classification', fields.classification);
    if (fields.audienceRoles?.length) form.append('audienceRoles', fields.audienceRoles.join(','));
    if (fields.audienceUnitIds?.length) form.append('audienceUnitIds', fields.audienceUnitIds.join(','));
    form.append('file', file, file.name);
    return upload<DocumentInfo>(docId ? `${base(meetingId)}/${docId}/versions` : base(meetingId), form, onProgress);
  },
  declassify: (meetingId: number, id: number, body: { classification: Classification; reason: string; audienceRoles?: Role[]; audienceUnitIds?: number[] }) =>
    request<DocumentInfo>('POST', `${base(meetingId)}/${id}/declassify`, body),
  attach: (meetingId: number, id: number, agendaItemId: number, attached: boolean) =>
    request<DocumentInfo>('POST', `${base(meetingId)}/${id}/agenda`, { agendaItemId, attached }),
  update: (meetingId: number, id: number, body: { title?: string; classification?: Classification; audienceRoles?: Role[]; audienceUnitIds?: number[] }) =>
    request<DocumentInfo>('PATCH', `${base(meetingId)}/${id}`, body),
  publish: (meetingId: number, id: number) => request<DocumentInfo>('POST', `${base(meetingId)}/${id}/publish`),
  receipts: (meetingId: number) => request<ReceiptCounts>('GET', `${base(meetingId)}/receipts`),
  downloadUrl: (meetingId: number, id: number) => `${base(meetingId)}/${id}/download`,
  pageUrl: (meetingId: number, id: number, page: number, width: number) => `${base(meetingId)}/${id}/pages/${page}?width=${width}`,
  qrSheetUrl: (meetingId: number) => `/api/meetings/${meetingId}/qr-sheet`,
  qr: {
    list: (meetingId: number) => request<QrTokenInfo[]>('GET', `/api/meetings/${meetingId}/qr/tokens`),
    reissue: (meetingId: number, userId: number) => request<QrTokenInfo>('POST', `/api/meetings/${meetingId}/qr/delegates/${userId}`),
    reissueAll: (meetingId: number) => request<QrTokenInfo[]>('POST', `/api/meetings/${meetingId}/qr/reissue`),
    revoke: (meetingId: number, jti: string) => request<QrTokenInfo>('POST', `/api/meetings/${meetingId}/qr/tokens/${jti}/revoke`),
    venue: (meetingId: number) => request<QrTokenInfo>('POST', `/api/meetings/${meetingId}/qr/venue`, {}),
    pngUrl: (meetingId: number, jti: string) => `/api/meetings/${meetingId}/qr/tokens/${jti}/png`,
  },
};

/** Classifications a document may be declassified to: strictly lower than its own. */
export const lowerClassifications = (c: Classification): Classification[] =>
  c === 'confidential' ? ['restricted', 'public_to_meeting'] : c === 'restricted' ? ['public_to_meeting'] : [];

/** File size in the current UI language. */
export const humanSize = (bytes: number): string => formatSize(bytes, lang.get());
