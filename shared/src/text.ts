/**
 * Human text hygiene, one definition for the REST schemas, the socket payload schemas and the
 * server's normalising step. Names, titles, agenda, descriptions, file names, reasons and poll
 * options are NFC-normalised and trimmed; control characters and the invisible bidi controls
 * that can make "hồ sơ‮fdp.exe" display as "hồ sơexe.pdf" are refused with a 400 naming the field.
 */
import Type from 'typebox';

/** Marks a schema as human text; the server's normaliser (NFC, trim) looks for it. */
export const HUMAN_TEXT = 'x-human-text';
export type HumanTextKind = 'line' | 'multiline';

// C0 controls, DEL and C1 controls; Arabic letter mark; LRM/RLM; LRE/RLE/PDF/LRO/RLO; LRI/RLI/FSI/PDI;
// zero-width space and BOM (a name of only those looks empty); line/paragraph separators.
const BIDI_AND_INVISIBLE = '\\u061C\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u2028\\u2029\\uFEFF';
const LINE_FORBIDDEN = `\\u0000-\\u001F\\u007F-\\u009F${BIDI_AND_INVISIBLE}`;
// Long texts keep tab and newline (CRLF is turned into LF before the check).
const MULTILINE_FORBIDDEN = `\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F${BIDI_AND_INVISIBLE}`;

export const LINE_PATTERN = `^[^${LINE_FORBIDDEN}]*$`;
export const MULTILINE_PATTERN = `^[^${MULTILINE_FORBIDDEN}]*$`;
/** A name: single line and not only whitespace. */
export const NAME_PATTERN = `^(?=.*\\S)[^${LINE_FORBIDDEN}]*$`;

const lineForbidden = new RegExp(`[${LINE_FORBIDDEN}]`, 'u');
const multilineForbidden = new RegExp(`[${MULTILINE_FORBIDDEN}]`, 'u');

interface Limits {
  minLength?: number;
  maxLength: number;
}

/** Single-line human text (a title, a reason, a presenter); may be empty unless minLength says not. */
export const HumanText = (o: Limits) => Type.String({ ...o, pattern: (o.minLength ?? 0) > 0 ? NAME_PATTERN : LINE_PATTERN, [HUMAN_TEXT]: 'line' });
/** A name or title that must say something: at least one visible character. */
export const HumanName = (maxLength: number) => HumanText({ minLength: 1, maxLength });
/** Multi-line human text (a description): tabs and newlines allowed. */
export const LongText = (o: Limits) => Type.String({ ...o, pattern: MULTILINE_PATTERN, [HUMAN_TEXT]: 'multiline' });

/** NFC, CRLF → LF for long text, trimmed. */
export function normalizeHumanText(s: string, kind: HumanTextKind = 'line'): string {
  const nfc = s.normalize('NFC');
  return (kind === 'multiline' ? nfc.replace(/\r\n?/g, '\n') : nfc).trim();
}

/** Why `s` (already normalised) is not acceptable human text, or null. */
export function humanTextProblem(s: string, kind: HumanTextKind = 'line', required = false): string | null {
  const bad = (kind === 'multiline' ? multilineForbidden : lineForbidden).exec(s);
  if (bad) {
    const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `contains a control or bidirectional formatting character (U+${cp})`;
  }
  if (required && !/\S/u.test(s)) return 'must not be empty or only spaces';
  return null;
}

/**
 * Vietnamese letters without their marks ("Điểm cầu Hòa Bình" → "Diem cau Hoa Binh"): NFD
 * splits off the tone and vowel marks; đ/Đ is a letter of its own, not a composed one.
 */
export function stripDiacritics(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

/** Search form of a text: no marks, lower case, single spaces, so "hoa binh" finds "Hòa Bình". */
export function searchKey(s: string): string {
  return stripDiacritics(s).toLowerCase().replace(/\s+/g, ' ').trim();
}
