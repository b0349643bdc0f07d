/**
 * Small per-browser preferences (language, chime, grid view) in localStorage.
 * Private mode or a full quota makes storage throw; a preference that cannot
 * be read falls back to its default and one that cannot be saved lasts for
 * this page only, so neither ever breaks the screen.
 */

/** The saved value, or null when nothing is saved or storage is unavailable. */
export function loadPref(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Saves the value if storage allows; silently does nothing otherwise. */
export function savePref(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered; the choice still applies on this page.
  }
}
