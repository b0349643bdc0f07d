import { useEffect } from 'preact/hooks';
import { t, useLang } from './i18n.ts';

/**
 * The browser tab says where you are ("Hội nghị … – Điều hành – Điểm cầu"): a
 * secretariat keeps the console, the editor and a bridge screen open side by side.
 * Empty parts (a meeting still loading) are left out.
 */
export function usePageTitle(...parts: (string | null | undefined)[]): void {
  const l = useLang();
  const title = [...parts.filter((p): p is string => !!p), t('app.name')].join(' – ');
  useEffect(() => {
    document.title = title;
  }, [title, l]);
}
