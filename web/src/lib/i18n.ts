/**
 * Tiny i18n: Vietnamese by default, English on request, persisted in
 * localStorage. Dictionaries live in ./i18n-vi.ts and ./i18n-en.ts; a missing English
 * string is a type error, not a runtime surprise.
 */
import { createStore, useStore } from './store.ts';
import { loadPref, savePref } from './prefs.ts';
import { en } from './i18n-en.ts';
import { vi, type MsgKey } from './i18n-vi.ts';

import type { UiLang } from '@diemcau/shared';

export type Lang = UiLang;
const KEY = 'diemcau.lang';

export const lang = createStore<Lang>(loadPref(KEY) === 'en' ? 'en' : 'vi');
document.documentElement.lang = lang.get();

export function setLang(l: Lang): void {
  savePref(KEY, l);
  document.documentElement.lang = l;
  lang.set(l);
}

/** Translates a key, filling `{name}` placeholders. */
export function t(key: MsgKey, params?: Record<string, string | number>): string {
  const s: string = (lang.get() === 'en' ? en : vi)[key] ?? key;
  return params ? s.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`)) : s;
}

/** Subscribes the calling component to language changes. */
export function useLang(): Lang {
  return useStore(lang);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang.get() === 'en' ? 'en-GB' : 'vi-VN', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/** mm:ss, or h:mm:ss past an hour; negative values (overrun) get a minus sign. */
export function formatDuration(ms: number): string {
  const neg = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${neg ? '−' : ''}${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export type { MsgKey };
