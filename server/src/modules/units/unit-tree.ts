/** Pure rules of the province → district → commune tree. */
import type { BridgeLevel, Level } from '@diemcau/shared';
import { AppError } from '../../lib/app-error.ts';

export interface UnitNode {
  id: number;
  parentId: number | null;
  level: Level;
  code: string;
  name: string;
}
export type UnitTree<T extends UnitNode = UnitNode> = T & { children: UnitTree<T>[] };

const CHILD_LEVEL: Record<Level, Level | null> = { province: 'district', district: 'commune', commune: null };

/** The level a new unit gets under `parent` (a province when there is no parent). */
export function childLevel(parent: Pick<UnitNode, 'level'> | null): Level {
  if (!parent) return 'province';
  const next = CHILD_LEVEL[parent.level];
  if (!next) throw new AppError('VALIDATION_FAILED', 400, 'A commune cannot have child units');
  return next;
}

/** Bridge point tier for a unit level. */
export const bridgeLevelOf = (level: Level): BridgeLevel => (level === 'province' ? 'provincial' : level);

/** Builds the nested tree; children sorted by code. Orphans (parent outside the list) become roots. */
export function buildTree<T extends UnitNode>(rows: readonly T[]): UnitTree<T>[] {
  const nodes = new Map<number, UnitTree<T>>(rows.map((r) => [r.id, { ...r, children: [] }]));
  const roots: UnitTree<T>[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId == null ? undefined : nodes.get(n.parentId);
    (parent ? parent.children : roots).push(n);
  }
  const sort = (list: UnitTree<T>[]) => {
    list.sort((a, b) => a.code.localeCompare(b.code));
    list.forEach((c) => sort(c.children));
  };
  sort(roots);
  return roots;
}

/** Ids of `rootId` and every unit below it. */
export function descendantIds(rows: readonly Pick<UnitNode, 'id' | 'parentId'>[], rootId: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const r of rows) if (r.parentId != null) byParent.set(r.parentId, [...(byParent.get(r.parentId) ?? []), r.id]);
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    stack.push(...(byParent.get(id) ?? []));
  }
  return out;
}
