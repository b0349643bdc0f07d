/**
 * Reminders before a meeting and e-mail copies of new-material notices.
 *
 * `runDue()` is the whole scheduler: it looks at the (injectable) clock, and
 * for every scheduled meeting whose configured offsets have come due records
 * one reminder per recipient and offset, then notifies. The record is written
 * first, in one transaction, so a crash or restart never sends a reminder
 * twice; at worst an e-mail is retried. After downtime only the latest due
 * offset is shown (no "24 hours left" next to "1 hour left").
 */
import type { DocumentInfo, ReminderNotice } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import type { Realtime } from '../../plugins/realtime.ts';
import type { Mailer } from '../../plugins/mailer.ts';
import { meetingPlace } from '../meetings/meetings.access.ts';
import * as repo from './reminders.repo.ts';
import { publishedMail, reminderMail } from './reminders.mail.ts';

export interface RemindersOptions {
  /** Minutes before the start, any order. */
  offsets: number[];
  now: () => Date;
  baseUrl: string;
}

const MAX_MAIL_ATTEMPTS = 3;

export class RemindersService {
  #running: Promise<{ sent: number; emailed: number }> | null = null;

  constructor(
    private readonly db: Db,
    private readonly realtime: Pick<Realtime, 'toUser'>,
    private readonly mailer: Mailer,
    private readonly opts: RemindersOptions,
  ) {}

  /** Sends what is due now. Overlapping calls (a slow mail server) share one run. */
  runDue(): Promise<{ sent: number; emailed: number }> {
    this.#running ??= this.#run().finally(() => (this.#running = null));
    return this.#running;
  }

  /** Resolves once no run is in progress (used at shutdown). */
  async idle(): Promise<void> {
    await this.#running?.catch(() => {});
  }

  async #run(): Promise<{ sent: number; emailed: number }> {
    const now = this.opts.now();
    const fresh = this.#record(now);
    for (const n of fresh) this.realtime.toUser(n.userId).emit('meeting:reminded', n.notice);
    return { sent: fresh.length, emailed: await this.#mail(now) };
  }

  #record(now: Date): { userId: number; notice: ReminderNotice }[] {
    const offsets = [...new Set(this.opts.offsets)];
    if (!offsets.length) return [];
    const fresh: { userId: number; notice: ReminderNotice }[] = [];
    const at = now.toISOString();
    for (const meeting of repo.upcomingMeetings(this.db)) {
      const start = Date.parse(meeting.startsAt);
      if (!(start > now.getTime())) continue;
      const due = offsets.filter((o) => start - o * 60_000 <= now.getTime());
      if (!due.length) continue;
      const latest = Math.min(...due);
      const label = { title: meeting.title, place: meetingPlace(this.db, meeting) };
      this.db.transaction((tx) => {
        // Every tick looks again; only reminders not yet recorded are written (the unique index still guards).
        const done = repo.recordedKeys(tx as unknown as Db, meeting.id, meeting.startsAt);
        for (const person of repo.recipients(tx as unknown as Db, meeting.id)) {
          for (const offsetMinutes of due) {
            if (done.has(`${person.userId}:${offsetMinutes}`)) continue;
            const row = repo.insertOnce(tx as unknown as Db, { meetingId: meeting.id, userId: person.userId, offsetMinutes, startsAt: meeting.startsAt, createdAt: at, shown: offsetMinutes === latest });
            if (row?.shown) fresh.push({ userId: person.userId, notice: repo.toNotice(row, label) });
          }
        }
      });
    }
    return fresh;
  }

  /** Mails reminders not mailed yet, for meetings still ahead; one at a time (the transport pools). */
  async #mail(now: Date): Promise<number> {
    if (!this.mailer.enabled) return 0;
    let sent = 0;
    const label = repo.meetingLabels(this.db);
    for (const { r, fullName, email } of repo.pendingMail(this.db, MAX_MAIL_ATTEMPTS, now.toISOString())) {
      if (Date.parse(r.startsAt) <= now.getTime()) continue;
      const n = repo.toNotice(r, label(r.meetingId));
      const ok = await this.mailer.send({ to: email!, ...reminderMail({ ...n, fullName, baseUrl: this.opts.baseUrl }) });
      repo.recordMail(this.db, r.id, ok, this.opts.now().toISOString());
      if (ok) sent++;
    }
    return sent;
  }

  /** The user's reminders not yet dismissed (the list shown after sign-in), within the session's meeting scope. */
  list(userId: number, inScope: (meetingId: number) => boolean): ReminderNotice[] {
    const label = repo.meetingLabels(this.db);
    return repo.unseen(this.db, userId).filter((r) => inScope(r.meetingId)).map((r) => repo.toNotice(r, label(r.meetingId)));
  }

  /**
   * Dismisses the listed reminders (all when `ids` is omitted) that lie within the session's scope: a QR
   * session is confined to its meeting and does not dismiss the delegate's other reminders.
   */
  markSeen(userId: number, ids: number[] | undefined, inScope?: (meetingId: number) => boolean): void {
    const at = this.opts.now().toISOString();
    if (!inScope) return repo.markSeen(this.db, userId, ids, at);
    const mine = repo.unseen(this.db, userId).filter((r) => inScope(r.meetingId)).map((r) => r.id);
    const chosen = (ids ?? mine).filter((id) => mine.includes(id));
    if (chosen.length) repo.markSeen(this.db, userId, chosen, at);
  }

  /**
   * The e-mail copy of the documents module's publish notice (its in-app
   * notice and live push stay there): one message per entitled person per
   * publication, however many documents it carried.
   */
  async documentsPublished(meeting: { id: number; title: string }, byUser: Map<number, DocumentInfo[]>): Promise<number> {
    if (!this.mailer.enabled || !byUser.size) return 0;
    let sent = 0;
    for (const person of repo.contacts(this.db, [...byUser.keys()])) {
      if (!person.email) continue;
      const msg = publishedMail({ fullName: person.fullName, meetingTitle: meeting.title, documents: byUser.get(person.userId)!, baseUrl: this.opts.baseUrl });
      if (await this.mailer.send({ to: person.email, ...msg })) sent++;
    }
    return sent;
  }
}
