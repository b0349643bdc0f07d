/**
 * REST client. Types come from the shared TypeBox schemas (type-only imports,
 * so no schema code ships to the browser). The session is the HttpOnly
 * `dc_session` cookie; the client never sees the token.
 */
import type { Static } from 'typebox';
import type {
  AgendaItem,
  AgendaItemCreate,
  AgendaItemUpdate,
  BridgePoint,
  ErrorCode,
  Invitation,
  Me,
  Meeting,
  MeetingCreate,
  MeetingStatus,
  MeetingUpdate,
  Unit,
  User,
} from '@diemcau/shared';
import { t, type MsgKey } from './i18n.ts';

/** Server error codes plus the two the client produces itself. */
export type ClientErrorCode = ErrorCode | 'NETWORK' | 'TIMEOUT';

export class ApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

/** A user-facing, translated message for any thrown value. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const key = `err.${e.code}` as MsgKey;
    const s = t(key);
    return s === key ? t('err.generic') : s;
  }
  return t('err.generic');
}

/** Called on any 401 so the app can send the user to the login page. */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

function toApiError(status: number, body: unknown): ApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof err?.code === 'string' ? (err.code as ErrorCode) : status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
  return new ApiError(code, typeof err?.message === 'string' ? err.message : `HTTP ${status}`, status);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('NETWORK', 'network error');
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = toApiError(res.status, data);
    if (res.status === 401 && path !== '/api/auth/login') onUnauthenticated();
    throw e;
  }
  return data as T;
}

export interface UploadHandle<T> {
  promise: Promise<T>;
  abort(): void;
}

/**
 * Multipart upload with progress. fetch() cannot report upload progress, so
 * this uses XMLHttpRequest.
 */
export function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.responseType = 'text';
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data as T);
      } else {
        if (xhr.status === 401) onUnauthenticated();
        reject(toApiError(xhr.status, data));
      }
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', 'network error'));
    xhr.onabort = () => reject(new ApiError('NETWORK', 'aborted'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

type S<T extends import('typebox').TSchema> = Static<T>;
const enc = encodeURIComponent;

/** Typed endpoints of the core API. Feature endpoints live next to their views. */
export const api = {
  auth: {
    me: () => request<Me>('GET', '/api/auth/me'),
    login: (username: string, password: string) => request<Me>('POST', '/api/auth/login', { username, password }),
    logout: () => request<unknown>('POST', '/api/auth/logout'),
    changePassword: (currentPassword: string, newPassword: string) => request<unknown>('POST', '/api/auth/password', { currentPassword, newPassword }),
    pinStatus: () => request<{ pinSet: boolean }>('GET', '/api/auth/pin'),
    setPin: (password: string, pin: string) => request<unknown>('PUT', '/api/auth/pin', { password, pin }),
  },
  units: () => request<Unit[]>('GET', '/api/units'),
  bridgePoints: () => request<BridgePoint[]>('GET', '/api/bridge-points'),
  users: (role?: string) => request<User[]>('GET', `/api/users${role ? `?role=${enc(role)}` : ''}`),
  meetings: {
    list: () => request<Meeting[]>('GET', '/api/meetings'),
    get: (id: number) => request<Meeting>('GET', `/api/meetings/${id}`),
    create: (body: S<typeof MeetingCreate>) => request<Meeting>('POST', '/api/meetings', body),
    update: (id: number, body: S<typeof MeetingUpdate>) => request<Meeting>('PATCH', `/api/meetings/${id}`, body),
    transition: (id: number, to: MeetingStatus) => request<Meeting>('POST', `/api/meetings/${id}/transition`, { to }),
    invitation: (id: number) => request<Invitation>('GET', `/api/meetings/${id}/invitations`),
    inviteBridgePoints: (id: number, body: { bridgePointIds?: number[]; unitIds?: number[] }) =>
      request<unknown>('POST', `/api/meetings/${id}/bridge-points`, body),
    uninviteBridgePoint: (id: number, bridgePointId: number) =>
      request<unknown>('DELETE', `/api/meetings/${id}/bridge-points/${bridgePointId}`),
    inviteDelegates: (id: number, userIds: number[]) => request<unknown>('POST', `/api/meetings/${id}/delegates`, { userIds }),
    uninviteDelegate: (id: number, userId: number) => request<unknown>('DELETE', `/api/meetings/${id}/delegates/${userId}`),
  },
  agenda: {
    list: (meetingId: number) => request<AgendaItem[]>('GET', `/api/meetings/${meetingId}/agenda`),
    create: (meetingId: number, body: S<typeof AgendaItemCreate>) =>
      request<AgendaItem>('POST', `/api/meetings/${meetingId}/agenda`, body),
    update: (meetingId: number, itemId: number, body: S<typeof AgendaItemUpdate>) =>
      request<AgendaItem>('PATCH', `/api/meetings/${meetingId}/agenda/${itemId}`, body),
    remove: (meetingId: number, itemId: number) => request<unknown>('DELETE', `/api/meetings/${meetingId}/agenda/${itemId}`),
    reorder: (meetingId: number, itemIds: number[]) =>
      request<AgendaItem[]>('PUT', `/api/meetings/${meetingId}/agenda/order`, { itemIds }),
  },
};
