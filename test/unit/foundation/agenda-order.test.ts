import { describe, expect, it } from 'vitest';
import { compactAfterRemoval, inOrder, move, reorder } from '../../../server/src/modules/agenda/agenda-order.ts';

const items = [
  { id: 10, position: 0 },
  { id: 11, position: 1 },
  { id: 12, position: 2 },
  { id: 13, position: 3 },
];

describe('agenda order', () => {
  it('sorts by position then id', () => {
    expect(inOrder([{ id: 2, position: 1 }, { id: 3, position: 0 }, { id: 1, position: 1 }]).map((i) => i.id)).toEqual([3, 1, 2]);
  });

  it('accepts a permutation and assigns gapless positions', () => {
    expect([...reorder(items, [13, 10, 12, 11])]).toEqual([[13, 0], [10, 1], [12, 2], [11, 3]]);
  });

  it.each([
    ['a missing item', [10, 11, 12]],
    ['an unknown item', [10, 11, 12, 99]],
    ['a duplicate', [10, 11, 12, 12]],
    ['an extra item', [10, 11, 12, 13, 14]],
  ])('rejects %s', (_name, ids) => {
    expect(() => reorder(items, ids)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400 }));
  });

  it('moves with the arrow buttons and clamps at the ends', () => {
    expect(move(items, 12, -1)).toEqual([10, 12, 11, 13]);
    expect(move(items, 10, -1)).toEqual([10, 11, 12, 13]);
    expect(move(items, 13, +5)).toEqual([10, 11, 12, 13]);
    expect(move(items, 10, +3)).toEqual([11, 12, 13, 10]);
    expect(() => move(items, 99, 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('closes the gap after a removal', () => {
    expect([...compactAfterRemoval(items, 11)]).toEqual([[10, 0], [12, 1], [13, 2]]);
  });
});
