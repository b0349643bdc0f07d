import { asc, eq, max, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { AgendaItem, AgendaItemCreate, AgendaItemUpdate } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { agendaItems } from '../../db/schema.ts';
import { preparedFor } from '../../lib/prepared.ts';

// Read by every meeting:join (the snapshot's agenda) and conference command: prepared once per connection.
const agendaOf = preparedFor((db) =>
  db.select().from(agendaItems).where(eq(agendaItems.meetingId, sql.placeholder('meetingId'))).orderBy(asc(agendaItems.position), asc(agendaItems.id)).prepare(),
);
export const listAgenda = (db: Db, meetingId: number): AgendaItem[] => agendaOf(db).all({ meetingId });

export function getItem(db: Db, id: number): AgendaItem | undefined {
  return db.select().from(agendaItems).where(eq(agendaItems.id, id)).get();
}

export function insertItem(db: Db, meetingId: number, body: Static<typeof AgendaItemCreate>): AgendaItem {
  const next = (db.select({ p: max(agendaItems.position) }).from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).get()?.p ?? -1) + 1;
  return db
    .insert(agendaItems)
    .values({ meetingId, position: next, title: body.title, presenter: body.presenter ?? '', plannedMinutes: body.plannedMinutes, documentIds: body.documentIds ?? [] })
    .returning()
    .get();
}

export function updateItem(db: Db, id: number, patch: Static<typeof AgendaItemUpdate>): AgendaItem {
  return db.update(agendaItems).set(patch).where(eq(agendaItems.id, id)).returning().get()!;
}

export function deleteItem(db: Db, id: number): void {
  db.delete(agendaItems).where(eq(agendaItems.id, id)).run();
}

export function applyPositions(db: Db, positions: Map<number, number>): void {
  for (const [id, position] of positions) db.update(agendaItems).set({ position }).where(eq(agendaItems.id, id)).run();
}
