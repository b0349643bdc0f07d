/** Formatting shared by the server-rendered pages and the web client. */

/** The two UI languages: Vietnamese by default, English on request. */
export type UiLang = 'vi' | 'en';

/** File size in the reader's convention: "1,5 MB" in Vietnamese, "1.5 MB" in English. */
export function humanSize(bytes: number, lang: UiLang): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: i ? 1 : 0 }).format(v)} ${units[i]}`;
}
