import type { AuditPage, AuditQuery, AuditVerification } from '@diemcau/shared';
import { request } from './api.ts';

/** Admin audit trail endpoints. */
export const auditApi = {
  list: (q: AuditQuery) => {
    const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
    return request<AuditPage>('GET', `/api/audit?${qs}`);
  },
  verify: () => request<AuditVerification>('GET', '/api/audit/verify'),
};
