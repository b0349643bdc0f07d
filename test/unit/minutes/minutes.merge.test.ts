import { describe, expect, it } from 'vitest';
import { merge3 } from '../../../server/src/modules/minutes/minutes.merge.ts';

describe('three-way merge of a draft field', () => {
  it('takes the only side that changed', () => {
    expect(merge3('a', 'a', 'b')).toBe('b');
    expect(merge3('a', 'b', 'a')).toBe('b');
    expect(merge3('a', 'b', 'b')).toBe('b');
  });

  it('keeps both secretaries\' additions at different places', () => {
    const base = 'Hội nghị thống nhất:\n- Điểm 1\n- Điểm 2';
    const mine = 'Hội nghị thống nhất:\n- Điểm 1\n- Điểm 1b của tôi\n- Điểm 2';
    const theirs = 'Hội nghị thống nhất:\n- Điểm 1\n- Điểm 2\n- Điểm 3 của họ';
    expect(merge3(base, mine, theirs)).toBe('Hội nghị thống nhất:\n- Điểm 1\n- Điểm 1b của tôi\n- Điểm 2\n- Điểm 3 của họ');
  });

  it('keeps both texts when both rewrote the same line, theirs first', () => {
    expect(merge3('Giao Sở Tài chính', 'Giao Sở Tài chính chủ trì', 'Giao Sở Kế hoạch')).toBe('Giao Sở Kế hoạch\nGiao Sở Tài chính chủ trì');
  });

  it('applies a deletion by one side and an addition by the other', () => {
    expect(merge3('x\ny\nz', 'x\nz', 'x\ny\nz\nw')).toBe('x\nz\nw');
  });

  it('starts from an empty base: both typed a first conclusion', () => {
    expect(merge3('', 'Của tôi', 'Của họ')).toBe('Của họ\nCủa tôi');
  });

  it('never loses a line either side added (random edits)', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 300; round++) {
      const base = Array.from({ length: rnd(6) }, (_, i) => `b${i}`);
      const edit = (tag: string) => {
        const out = base.filter(() => rnd(4) !== 0);
        const added = `${tag}${round}`;
        out.splice(rnd(out.length + 1), 0, added);
        return { text: out.join('\n'), added };
      };
      const m = edit('m');
      const t = edit('t');
      const merged = merge3(base.join('\n'), m.text, t.text).split('\n');
      expect(merged).toContain(m.added);
      expect(merged).toContain(t.added);
    }
  });
});
