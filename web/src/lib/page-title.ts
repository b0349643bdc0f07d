import { useEffect } from 'preact/hooks';
import { t } from './i18n.ts';

/**
 * The browser tab says where you are ("Hội nghị … – Điều hành – Điểm cầu"): a
 * secretariat keeps the console, the editor and a bridge screen open side by side.
 * Empty parts (a meeting still loading) are left out. App re-renders every view on
 * a language change, so the title is rebuilt in the new language without a subscription here.
 */
export function usePageTitle(...parts: (string | null | undefined)[]): void {
  const title = [...parts.filter((p): p is string => !!p), t('app.name')].join(' – ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
