/**
 * Pure agenda ordering rules. Positions are always 0..n-1 with no gaps, so the
 * "current item" and "next item" of the live meeting are well defined.
 */
import { AppError } from '../../lib/app-error.ts';

export interface Positioned {
  id: number;
  position: number;
}

/** Returns ids in display order (by position, then id for stable ties). */
export const inOrder = <T extends Positioned>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => a.position - b.position || a.id - b.id);

/**
 * Validates that `ids` is a permutation of the items' ids and returns the new
 * position for each id. Throws VALIDATION_FAILED otherwise.
 */
export function reorder(items: readonly Positioned[], ids: readonly number[]): Map<number, number> {
  const known = new Set(items.map((i) => i.id));
  const seen = new Set<number>();
  for (const id of ids) {
    if (!known.has(id)) throw new AppError('VALIDATION_FAILED', 400, `Agenda item ${id} is not in this meeting`);
    if (seen.has(id)) throw new AppError('VALIDATION_FAILED', 400, `Agenda item ${id} is listed twice`);
    seen.add(id);
  }
  if (seen.size !== known.size) throw new AppError('VALIDATION_FAILED', 400, 'The new order must list every agenda item exactly once');
  return new Map(ids.map((id, position) => [id, position]));
}

/** Moves one item by `delta` places (the arrow buttons), clamped to the ends. Returns the new id order. */
export function move(items: readonly Positioned[], id: number, delta: number): number[] {
  const ids = inOrder(items).map((i) => i.id);
  const from = ids.indexOf(id);
  if (from < 0) throw new AppError('NOT_FOUND', 404, 'Agenda item not found');
  const to = Math.max(0, Math.min(ids.length - 1, from + delta));
  ids.splice(to, 0, ...ids.splice(from, 1));
  return ids;
}

/** Positions after removing one item: everything after it closes the gap. */
export function compactAfterRemoval(items: readonly Positioned[], removedId: number): Map<number, number> {
  return new Map(
    inOrder(items)
      .filter((i) => i.id !== removedId)
      .map((i, position) => [i.id, position]),
  );
}
