/**
 * Documents grouped under the agenda item that lists them (each shown once,
 * under its first item in agenda order), then those no item lists (itemId null).
 * Used by the delegate's live page and the QR landing page alike.
 */
export function byAgendaItem<D extends { agendaItemIds: readonly number[] }>(
  docs: readonly D[],
  items: readonly { id: number; title: string }[],
): { itemId: number | null; title: string | null; docs: D[] }[] {
  const order = new Map(items.map((it, i) => [it.id, i]));
  const first = (d: D) => d.agendaItemIds.filter((id) => order.has(id)).sort((a, b) => order.get(a)! - order.get(b)!)[0] ?? null;
  const groups: { itemId: number | null; title: string | null; docs: D[] }[] = items.map((it) => ({ itemId: it.id, title: it.title, docs: docs.filter((d) => first(d) === it.id) }));
  groups.push({ itemId: null, title: null, docs: docs.filter((d) => first(d) === null) });
  return groups.filter((g) => g.docs.length > 0);
}
