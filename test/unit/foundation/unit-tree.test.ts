import { describe, expect, it } from 'vitest';
import { bridgeLevelOf, buildTree, childLevel, descendantIds } from '../../../server/src/modules/units/unit-tree.ts';
import { communeNames } from '../../../server/src/db/seed-data.ts';

const rows = [
  { id: 1, parentId: null, level: 'province' as const, code: '99', name: 'Tỉnh' },
  { id: 3, parentId: 1, level: 'district' as const, code: '992', name: 'Huyện B' },
  { id: 2, parentId: 1, level: 'district' as const, code: '991', name: 'Huyện A' },
  { id: 4, parentId: 2, level: 'commune' as const, code: '99101', name: 'Xã 1' },
  { id: 5, parentId: 2, level: 'commune' as const, code: '99102', name: 'Xã 2' },
  { id: 6, parentId: 3, level: 'commune' as const, code: '99201', name: 'Xã 3' },
];

describe('unit tree', () => {
  it('nests units and sorts children by code', () => {
    const [root, ...rest] = buildTree(rows);
    expect(rest).toHaveLength(0);
    expect(root!.id).toBe(1);
    expect(root!.children.map((c) => c.code)).toEqual(['991', '992']);
    expect(root!.children[0]!.children.map((c) => c.id)).toEqual([4, 5]);
  });

  it('treats units whose parent is missing as roots', () => {
    expect(buildTree(rows.filter((r) => r.id !== 1)).map((r) => r.id).sort()).toEqual([2, 3]);
  });

  it('collects a subtree', () => {
    expect(descendantIds(rows, 2).sort()).toEqual([2, 4, 5]);
    expect(descendantIds(rows, 1).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(descendantIds(rows, 6)).toEqual([6]);
  });

  it('derives the child level and refuses children of a commune', () => {
    expect(childLevel(null)).toBe('province');
    expect(childLevel({ level: 'province' })).toBe('district');
    expect(childLevel({ level: 'district' })).toBe('commune');
    expect(() => childLevel({ level: 'commune' })).toThrow(/commune/);
  });

  it('maps unit levels to bridge tiers', () => {
    expect(bridgeLevelOf('province')).toBe('provincial');
    expect(bridgeLevelOf('district')).toBe('district');
    expect(bridgeLevelOf('commune')).toBe('commune');
  });

  it('seeds 200 distinct commune names', () => {
    const names = communeNames(200);
    expect(new Set(names).size).toBe(200);
    expect(names.every((n) => /^(Xã|Phường|Thị trấn) \S+ \S+$/.test(n))).toBe(true);
    expect(() => communeNames(5000)).toThrow(RangeError);
  });
});
