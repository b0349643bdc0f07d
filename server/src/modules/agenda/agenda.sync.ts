/**
 * The agenda read of the modules still on the synchronous SQLite API (conference, QR landing,
 * minutes); agenda.repo.ts has its async twin under the same name. Goes once they are converted.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { AgendaItem } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { agendaItems } from '../../db/schema.ts';
import { preparedFor } from '../../lib/prepared.ts';

// Read by every meeting:join (the snapshot's agenda) and conference command: prepared once per connection.
const agendaOf = preparedFor((db) =>
  db.select().from(agendaItems).where(eq(agendaItems.meetingId, sql.placeholder('meetingId'))).orderBy(asc(agendaItems.position), asc(agendaItems.id)).prepare(),
);
export const listAgenda = (db: Db, meetingId: number): AgendaItem[] => agendaOf(db).all({ meetingId });
