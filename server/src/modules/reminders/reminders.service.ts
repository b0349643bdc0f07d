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
import type { Database } from '../../db/database.ts';
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
    private readonly db: Database,
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
    const fresh = await this.#record(now);
    for (const n of fresh) this.realtime.toUser(n.userId).emit('meeting:reminded', n.notice);
    return { sent: fresh.length, emailed: await this.#mail(now) };
  }

  async #record(now: Date): Promise<{ userId: number; notice: ReminderNotice }[]> {
    const offsets = [...new Set(this.opts.offsets)];
    if (!offsets.length) return [];
    const fresh: { userId: number; notice: ReminderNotice }[] = [];
    const at = now.toISOString();
    for (const meeting of await this.db.run(repo.upcomingMeetings)) {
      const start = Date.parse(meeting.startsAt);
      if (!(start > now.getTime())) continue;
      const due = offsets.filter((o) => start - o * 60_000 <= now.getTime());
      if (!due.length) continue;
      const latest = Math.min(...due);
      const label = { title: meeting.title, place: await this.db.run((s) => meetingPlace(s, meeting)) };
      // Pushed only once committed: a rolled-back transaction must not have announced anything.
      const recorded = await this.db.tx(async (tx) => {
        const out: { userId: number; notice: ReminderNotice }[] = [];
        // Every tick looks again; only reminders not yet recorded are written (the unique index still guards).
        const done = await repo.recordedKeys(tx, meeting.id, meeting.startsAt);
        for (const person of await repo.recipients(tx, meeting.id)) {
          for (const offsetMinutes of due) {
            if (done.has(`${person.userId}:${offsetMinutes}`)) continue;
            const row = await repo.insertOnce(tx, { meetingId: meeting.id, userId: person.userId, offsetMinutes, startsAt: meeting.startsAt, createdAt: at, shown: offsetMinutes === latest });
            if (row?.shown) out.push({ userId: person.userId, notice: repo.toNotice(row, label) });
          }
        }
        return out;
      });
      fresh.push(...recorded);
    }
    return fresh;
  }

  /** Mails reminders not mailed yet, for meetings still ahead; one at a time (the transport pools). */
  async #mail(now: Date): Promise<number> {
    if (!this.mailer.enabled) return 0;
    let sent = 0;
    const label = this.#labels();
    for (const { r, fullName, email } of await this.db.run((s) => repo.pendingMail(s, MAX_MAIL_ATTEMPTS, now.toISOString()))) {
      if (Date.parse(r.startsAt) <= now.getTime()) continue;
      const n = repo.toNotice(r, await label(r.meetingId));
      const ok = await this.mailer.send({ to: email!, ...reminderMail({ ...n, fullName, baseUrl: this.opts.baseUrl }) });
      await this.db.run((s) => repo.recordMail(s, r.id, ok, this.opts.now().toISOString()));
      if (ok) sent++;
    }
    return sent;
  }

  /** The user's reminders not yet dismissed (the list shown after sign-in), within the session's meeting scope. */
  async list(userId: number, inScope: (meetingId: number) => boolean): Promise<ReminderNotice[]> {
    const label = this.#labels();
    const rows = (await this.db.run((s) => repo.unseen(s, userId))).filter((r) => inScope(r.meetingId));
    const out: ReminderNotice[] = [];
    for (const r of rows) out.push(repo.toNotice(r, await label(r.meetingId)));
    return out;
  }

  /** Meeting labels read on first use, each read on its own (a label read never holds a transaction). */
  #labels(): (meetingId: number) => Promise<repo.MeetingLabel> {
    const seen = new Map<number, Promise<repo.MeetingLabel>>();
    return (id) => {
      let l = seen.get(id);
      if (!l) seen.set(id, (l = this.db.run((s) => repo.meetingLabels(s)(id))));
      return l;
    };
  }

  /**
   * Dismisses the listed reminders (all when `ids` is omitted) that lie within the session's scope: a QR
   * session is confined to its meeting and does not dismiss the delegate's other reminders.
   */
  async markSeen(userId: number, ids: number[] | undefined, inScope?: (meetingId: number) => boolean): Promise<void> {
    const at = this.opts.now().toISOString();
    if (!inScope) return this.db.run((s) => repo.markSeen(s, userId, ids, at));
    await this.db.tx(async (tx) => {
      const mine = (await repo.unseen(tx, userId)).filter((r) => inScope(r.meetingId)).map((r) => r.id);
      const chosen = (ids ?? mine).filter((id) => mine.includes(id));
      if (chosen.length) await repo.markSeen(tx, userId, chosen, at);
    });
  }

  /**
   * The e-mail copy of the documents module's publish notice (its in-app
   * notice and live push stay there): one message per entitled person per
   * publication, however many documents it carried.
   */
  async documentsPublished(meeting: { id: number; title: string }, byUser: Map<number, DocumentInfo[]>): Promise<number> {
    if (!this.mailer.enabled || !byUser.size) return 0;
    let sent = 0;
    for (const person of await this.db.run((s) => repo.contacts(s, [...byUser.keys()]))) {
      if (!person.email) continue;
      const msg = publishedMail({ fullName: person.fullName, meetingTitle: meeting.title, documents: byUser.get(person.userId)!, baseUrl: this.opts.baseUrl });
      if (await this.mailer.send({ to: person.email, ...msg })) sent++;
    }
    return sent;
  }
}
