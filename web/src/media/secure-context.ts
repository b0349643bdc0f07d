/**
 * Why the camera may be unavailable. Browsers expose getUserMedia only in a
 * secure context: https pages, or http on the machine itself (localhost). A
 * bridge PC opening the server by its LAN address over plain http therefore
 * gets no camera and no microphone, and the browser's own error says nothing
 * useful to an operator; this explains it in plain words.
 */

export interface PageOrigin {
  protocol: string;
  hostname: string;
  port: string;
}

/** Hosts browsers treat as potentially trustworthy even over http. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export type CameraBlock =
  | { reason: 'insecure-origin'; httpsUrl: string }
  | { reason: 'no-media-devices' };

/**
 * Null when the page may ask for the camera. `secureContext` is
 * `window.isSecureContext`; `hasMediaDevices` whether navigator.mediaDevices exists.
 */
export function cameraBlock(origin: PageOrigin, secureContext: boolean, hasMediaDevices: boolean): CameraBlock | null {
  const insecure = !secureContext || (origin.protocol === 'http:' && !isLoopbackHost(origin.hostname));
  if (insecure && origin.protocol !== 'https:') {
    const host = origin.hostname.includes(':') && !origin.hostname.startsWith('[') ? `[${origin.hostname}]` : origin.hostname;
    return { reason: 'insecure-origin', httpsUrl: `https://${host}${origin.port ? `:${origin.port}` : ''}` };
  }
  if (!hasMediaDevices) return { reason: 'no-media-devices' };
  return null;
}

/** The operator-facing explanation, Vietnamese by default. */
export function cameraBlockMessage(block: CameraBlock, lang: 'vi' | 'en' = 'vi'): string {
  if (block.reason === 'insecure-origin') {
    return lang === 'vi'
      ? `Không dùng được camera và micrô vì trang này đang mở bằng địa chỉ không bảo mật (http). ` +
          `Trình duyệt chỉ cho phép camera và micrô trên trang https. ` +
          `Hãy mở ${block.httpsUrl} thay cho địa chỉ hiện tại. ` +
          `Nếu trình duyệt báo chứng chỉ không tin cậy, đề nghị cán bộ kỹ thuật cài chứng chỉ của hệ thống cho máy này.`
      : `The camera and microphone are unavailable because this page was opened over plain http. ` +
          `Browsers allow them only on https pages. Open ${block.httpsUrl} instead. ` +
          `If the browser warns about the certificate, ask the technician to install the system's certificate on this computer.`;
  }
  return lang === 'vi'
    ? 'Trình duyệt này không hỗ trợ camera và micrô. Hãy dùng Chrome, Edge, Cốc Cốc hoặc Firefox bản mới.'
    : 'This browser does not support camera and microphone. Use a recent Chrome, Edge, Cốc Cốc or Firefox.';
}

/** Convenience for the current page; null when the camera may be requested. */
export function currentCameraBlock(): CameraBlock | null {
  if (typeof window === 'undefined') return null;
  return cameraBlock(window.location, window.isSecureContext, !!navigator.mediaDevices?.getUserMedia);
}
