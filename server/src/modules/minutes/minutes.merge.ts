/**
 * Merging concurrent edits of one draft field. Each field (a conclusion, the
 * secretary's name, …) has its own version; a save names the version it was
 * based on. When another secretary saved the field meanwhile, their text and
 * ours are merged line by line against the common base (a three-way merge),
 * so neither loses what they typed: lines one side changed win over the
 * unchanged base, and when both changed the same lines both versions are kept.
 */

/** Longest common subsequence table of two line arrays, for the alignment below. */
function lcs(a: readonly string[], b: readonly string[]): number[][] {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  }
  return t;
}

/** For each base line, the index of the equal line in `other`, or -1 when `other` dropped or changed it. */
function align(base: readonly string[], other: readonly string[]): number[] {
  const t = lcs(base, other);
  const map = new Array<number>(base.length).fill(-1);
  let i = 0;
  let j = 0;
  while (i < base.length && j < other.length) {
    if (base[i] === other[j]) {
      map[i++] = j++;
    } else if (t[i + 1]![j]! >= t[i]![j + 1]!) i++;
    else j++;
  }
  return map;
}

const lines = (s: string) => (s === '' ? [] : s.split('\n'));

/**
 * Three-way merge of `mine` and `theirs`, both edited from `base`.
 * Stable regions (a base line both sides kept) anchor the result; between
 * anchors, a side that left the base untouched takes the other side's text,
 * and when both changed it, theirs comes first, then mine (nothing dropped).
 */
export function merge3(base: string, mine: string, theirs: string): string {
  if (mine === theirs || theirs === base) return mine;
  if (mine === base) return theirs;
  const b = lines(base);
  const m = lines(mine);
  const t = lines(theirs);
  const am = align(b, m);
  const at = align(b, t);
  const out: string[] = [];
  let bi = 0;
  let mi = 0;
  let ti = 0;
  const flush = (bEnd: number, mEnd: number, tEnd: number) => {
    const bc = b.slice(bi, bEnd);
    const mc = m.slice(mi, mEnd);
    const tc = t.slice(ti, tEnd);
    const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, k) => v === y[k]);
    if (same(mc, bc)) out.push(...tc);
    else if (same(tc, bc) || same(mc, tc)) out.push(...mc);
    else out.push(...tc, ...mc.filter((l) => !tc.includes(l)));
  };
  for (let k = 0; k < b.length; k++) {
    if (am[k]! < 0 || at[k]! < 0) continue;
    flush(k, am[k]!, at[k]!);
    out.push(b[k]!);
    bi = k + 1;
    mi = am[k]! + 1;
    ti = at[k]! + 1;
  }
  flush(b.length, m.length, t.length);
  return out.join('\n');
}
