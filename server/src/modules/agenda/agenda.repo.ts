/**
 * Database access for agenda items, on the async data layer (db/database.ts), so it runs on SQLite
 * and PostgreSQL alike.
 */
import { asc, eq, max } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { AgendaItem, AgendaItemCreate, AgendaItemUpdate } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';

export function listAgenda({ q, t }: Store, meetingId: number): Promise<AgendaItem[]> {
  const { agendaItems } = t;
  return q.select().from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).orderBy(asc(agendaItems.position), asc(agendaItems.id));
}

export async function getItem({ q, t }: Store, id: number): Promise<AgendaItem | undefined> {
  const [item] = await q.select().from(t.agendaItems).where(eq(t.agendaItems.id, id));
  return item;
}

export async function insertItem({ q, t }: Store, meetingId: number, body: Static<typeof AgendaItemCreate>): Promise<AgendaItem> {
  const { agendaItems } = t;
  const [last] = await q.select({ p: max(agendaItems.position) }).from(agendaItems).where(eq(agendaItems.meetingId, meetingId));
  const [item] = await q
    .insert(agendaItems)
    .values({ meetingId, position: (last?.p ?? -1) + 1, title: body.title, presenter: body.presenter ?? '', plannedMinutes: body.plannedMinutes, documentIds: body.documentIds ?? [] })
    .returning();
  return item!;
}

export async function updateItem({ q, t }: Store, id: number, patch: Static<typeof AgendaItemUpdate>): Promise<AgendaItem> {
  const [item] = await q.update(t.agendaItems).set(patch).where(eq(t.agendaItems.id, id)).returning();
  return item!;
}

export async function deleteItem({ q, t }: Store, id: number): Promise<void> {
  await q.delete(t.agendaItems).where(eq(t.agendaItems.id, id));
}

export async function applyPositions({ q, t }: Store, positions: Map<number, number>): Promise<void> {
  for (const [id, position] of positions) await q.update(t.agendaItems).set({ position }).where(eq(t.agendaItems.id, id));
}
