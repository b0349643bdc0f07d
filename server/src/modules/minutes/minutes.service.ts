/**
 * The minutes of a meeting: the draft built once the meeting has ended, the
 * secretaries' field edits (merged when two edit the same field), finalising
 * (PDF + DOCX, PAdES signature, hashes and chain heads into the audit chain)
 * and amendments as new versions. Reads the room's final state through the
 * conference service; writes per-bridge attendance through the reports repo.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import type { Database, Store } from '../../db/database.ts';
import { lockForTx } from '../../db/dialect.ts';
import { appendAudit, auditHeadHash, lockAuditChain } from '../audit/audit.store.ts';
import { AppError, badRequest, conflict, notFound } from '../../lib/app-error.ts';
import type { ConferenceState } from '../conference/conference.machine.ts';
import type { MeetingRow } from '../meetings/meetings.access.ts';
import { meetingPlace, provinceOfUnit } from '../meetings/meetings.access.ts';
import { recordAttendance } from '../reports/reports.repo.ts';
import { headHash } from '../voting/voting.repo.ts';
import { loadFacts } from './minutes.facts.ts';
import { layout, type HeaderSettings, type PrintInput } from './minutes.layout.ts';
import { merge3 } from './minutes.merge.ts';
import { buildMinutes } from './minutes.model.ts';
import * as repo from './minutes.repo.ts';

// pdf-lib, fontkit, docx, node-forge and @signpdf load on the first print, not at start (as the reports' exporters do).
const pdfWriter = () => import('./minutes.pdf.ts');
const docxWriter = () => import('./minutes.docx.ts');
const signer = () => import('./minutes.sign.ts');

const FIELD_RE = /^(number|venue|chair|secretary|overall|item:\d{1,9})$/;
const FIELD_MAX = 20_000;

export interface MinutesDeps {
  database: Database;
  config: Pick<Config, 'dataDir' | 'minutes'>;
  /** The conference room's state as it stands (the conference service's read). */
  roomState: (meetingId: number) => Promise<ConferenceState>;
}

const ended = (m: MeetingRow) => m.status === 'ended' || m.status === 'archived';
const FINAL = 'Biên bản đã hoàn thành / the minutes are already final';

/**
 * Serialises the writers of one meeting's minutes (field saves, finalising, amending) across nodes,
 * so two saves of a field merge instead of colliding and nothing is saved into a final version.
 */
const lockMinutes = (s: Store, meetingId: number) => lockForTx(s, `minutes:${meetingId}`);

/** The saved header of a province, or the Party committee's default. */
export async function headerForProvince(s: Store, provinceId: number): Promise<HeaderSettings> {
  const saved = await repo.getSettings(s, provinceId);
  if (saved) return saved;
  const name = await meetingPlace(s, { chairUnitId: provinceId });
  const place = name.replace(/^(Tỉnh|Thành phố)\s+/i, '');
  return { style: 'party', superior: `Đảng bộ ${name}`, issuer: 'Tỉnh ủy', symbol: 'BB/TU', place };
}

/** The header of a meeting's minutes: that of the province its chairing unit belongs to. */
const headerFor = async (s: Store, meeting: MeetingRow): Promise<HeaderSettings> => headerForProvince(s, (await provinceOfUnit(s, meeting.chairUnitId)) ?? meeting.chairUnitId);

/** Field values without their versions. */
const fieldValues = (fields: Record<string, repo.FieldValue>): Record<string, string> => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.value]));
const titleOf = (meeting: MeetingRow) => `Biên bản – ${meeting.title}`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The latest version, creating the first draft once the meeting has ended. */
async function current(s: Store, meeting: MeetingRow, userId: number): Promise<repo.MinutesRow> {
  const row = await repo.latest(s, meeting.id);
  if (row) return row;
  if (!ended(meeting)) throw new AppError('ILLEGAL_TRANSITION', 409, 'Biên bản được lập sau khi kết thúc họp / minutes are drawn up once the meeting has ended');
  // Another secretary may open it at the same moment: the unique (meeting, version) keeps one.
  return (await repo.insertVersion(s, meeting.id, 1, userId, null)) ?? (await repo.latest(s, meeting.id))!;
}

export function createMinutesService({ database, config, roomState }: MinutesDeps) {
  const dir = join(config.dataDir, 'minutes');
  const fileOf = (meetingId: number, version: number, ext: 'pdf' | 'docx') => join(dir, `m${meetingId}-v${version}.${ext}`);

  /** What gets printed; a draft's fields are `edits` when the caller has read them already. */
  async function printInput(meeting: MeetingRow, row: repo.MinutesRow, edits?: Record<string, repo.FieldValue>): Promise<PrintInput> {
    const { snapshot, version, changeNote } = row;
    // Read before the database run: the conference service reads (and may catch up) the room on its own.
    const state = snapshot ? null : await roomState(meeting.id);
    return database.run(async (s) => {
      const header = await headerFor(s, meeting);
      if (snapshot) return { model: snapshot.model, fields: snapshot.fields, header: { ...header, style: snapshot.style }, version, changeNote };
      const fields = fieldValues(edits ?? (await repo.currentFields(s, row.id)));
      return { model: buildMinutes(await loadFacts(s, meeting, state!)), fields, header, version, changeNote };
    });
  }

  return {
    async view(meeting: MeetingRow, userId: number) {
      const { row, fields, versions } = await database.run(async (s) => {
        const row = await current(s, meeting, userId);
        return { row, fields: await repo.currentFields(s, row.id), versions: await repo.listVersions(s, meeting.id) };
      });
      const input = await printInput(meeting, row, fields);
      return {
        minutes: { id: row.id, version: row.version, status: row.status, changeNote: row.changeNote, finalisedAt: row.finalisedAt, pdfSha256: row.pdfSha256, docxSha256: row.docxSha256 },
        versions: versions.map((v) => ({ version: v.version, status: v.status, changeNote: v.changeNote, finalisedAt: v.finalisedAt, pdfSha256: v.pdfSha256 })),
        fields,
        header: input.header,
        model: input.model,
      };
    },

    /**
     * Saves one field edited from `baseVersion`. If someone saved it meanwhile, the two edits are
     * merged against that base and the merged text is saved and returned (merged: true).
     */
    saveField(meeting: MeetingRow, userId: number, field: string, value: string, baseVersion: number) {
      if (!FIELD_RE.test(field)) throw badRequest(`Unknown field ${field}`);
      if (value.length > FIELD_MAX) throw badRequest(`A field holds at most ${FIELD_MAX} characters`);
      return database.tx(async (s) => {
        await lockMinutes(s, meeting.id);
        const row = await current(s, meeting, userId);
        if (row.status !== 'draft') throw new AppError('ILLEGAL_TRANSITION', 409, 'Biên bản đã hoàn thành; hãy lập bản sửa đổi / the minutes are final; make an amendment');
        const cur = (await repo.currentFields(s, row.id))[field] ?? { value: '', version: 0 };
        if (baseVersion > cur.version) throw conflict(`Field ${field} has no version ${baseVersion}`);
        const base = baseVersion === 0 ? '' : ((await repo.fieldAt(s, row.id, field, baseVersion)) ?? '');
        const merged = cur.version === baseVersion ? value : merge3(base, value, cur.value);
        if (merged === cur.value && cur.version > 0) return { field, value: cur.value, version: cur.version, merged: cur.version !== baseVersion };
        await repo.insertField(s, row.id, field, cur.version + 1, merged, userId);
        return { field, value: merged, version: cur.version + 1, merged: cur.version !== baseVersion };
      });
    },

    /** Draft: printed from the live model; final: the stored, signed file. */
    async file(meeting: MeetingRow, userId: number, version: number | null, format: 'pdf' | 'docx'): Promise<{ body: Buffer; version: number; final: boolean }> {
      const row = await database.run((s) => (version === null ? current(s, meeting, userId) : repo.versionOf(s, meeting.id, version)));
      if (!row) throw notFound('Minutes version');
      if (row.status === 'final') return { body: await readFile(fileOf(meeting.id, row.version, format)), version: row.version, final: true };
      const blocks = layout(await printInput(meeting, row));
      const title = titleOf(meeting);
      const body = format === 'pdf' ? await (await pdfWriter()).minutesPdf(blocks, title) : await (await docxWriter()).minutesDocx(blocks, title);
      return { body, version: row.version, final: false };
    },

    async finalise(meeting: MeetingRow, userId: number) {
      const row = await database.run((s) => current(s, meeting, userId));
      if (row.status !== 'draft') throw new AppError('ILLEGAL_TRANSITION', 409, FINAL);
      // Printing, signing and writing the files happen before the transaction: it may hold only its own queries.
      const input = await printInput(meeting, row);
      const blocks = layout(input);
      const title = titleOf(meeting);
      const [{ minutesPdf }, { minutesDocx }, { defaultSigner, signPdf }] = await Promise.all([pdfWriter(), docxWriter(), signer()]);
      const p12 = config.minutes.signP12 ? await readFile(config.minutes.signP12) : defaultSigner(config.minutes.certDir, config.minutes.signPassword);
      const pdf = await signPdf(await minutesPdf(blocks, title), { p12, passphrase: config.minutes.signPassword, reason: title, location: input.header.place, name: input.header.issuer });
      const docx = await minutesDocx(blocks, title);
      const pdfSha256 = sha(pdf);
      const docxSha256 = sha(docx);
      await mkdir(dir, { recursive: true });
      await writeFile(fileOf(meeting.id, row.version, 'pdf'), pdf);
      await writeFile(fileOf(meeting.id, row.version, 'docx'), docx);
      const pollHeads = await database.run((s) => Promise.all(input.model.polls.map(async (p) => ({ pollId: p.pollId, head: await headHash(s, p.pollId) }))));
      return database.tx(async (s) => {
        await lockMinutes(s, meeting.id);
        const again = (await repo.versionOf(s, meeting.id, row.version))!;
        if (again.status !== 'draft') throw new AppError('ILLEGAL_TRANSITION', 409, FINAL);
        // The head the finalising entry cites must be the one it is appended after: hold the chain (appendAudit's lock) from here.
        await lockAuditChain(s);
        const auditHead = await auditHeadHash(s);
        const at = new Date().toISOString();
        await repo.updateMinutes(s, row.id, {
          status: 'final',
          finalisedAt: at,
          finalisedBy: userId,
          snapshot: { model: input.model, fields: input.fields, style: input.header.style },
          pdfSha256,
          docxSha256,
          auditHead,
        });
        await appendAudit(s, {
          actorUserId: userId,
          action: 'minutes.finalise',
          targetType: 'meeting',
          targetId: meeting.id,
          details: { version: row.version, pdfSha256, docxSha256, pollHeads, auditHead, changeNote: row.changeNote },
        });
        // The reports read per-bridge attendance from this summary; the minutes hold the final figures.
        await recordAttendance(
          s,
          meeting.id,
          input.model.attendance.byBridge.map((b) => ({ bridgePointId: b.bridgePointId, connected: b.connected, invited: b.invited, attended: b.presentInPerson + b.presentOnline })),
        );
        return { version: row.version, pdfSha256, docxSha256, finalisedAt: at, pollHeads, auditHead };
      });
    },

    /** Opens a new draft version after a final one; it must say what it changes. */
    amend(meeting: MeetingRow, userId: number, changeNote: string) {
      const note = changeNote.trim();
      if (!note) throw badRequest('Bản sửa đổi cần nêu nội dung sửa đổi / an amendment must say what it changes');
      return database.tx(async (s) => {
        await lockMinutes(s, meeting.id);
        const last = await current(s, meeting, userId);
        if (last.status !== 'final') throw new AppError('ILLEGAL_TRANSITION', 409, 'The latest version is still a draft');
        // Under the lock the next version number is free.
        const next = (await repo.insertVersion(s, meeting.id, last.version + 1, userId, note))!;
        for (const [field, value] of Object.entries(last.snapshot?.fields ?? {})) await repo.insertField(s, next.id, field, 1, value, userId);
        await appendAudit(s, { actorUserId: userId, action: 'minutes.amend', targetType: 'meeting', targetId: meeting.id, details: { version: next.version, changeNote: note } });
        return { version: next.version };
      });
    },

    /** Text of the conclusions of a meeting's latest minutes version (the archive's row) for the archive search. */
    async searchText(s: Store, row: repo.MinutesRow | undefined): Promise<string> {
      if (!row) return '';
      const fields = row.snapshot?.fields ?? fieldValues(await repo.currentFields(s, row.id));
      return Object.entries(fields)
        .filter(([k]) => k === 'overall' || k.startsWith('item:'))
        .map(([, v]) => v)
        .join('\n');
    },
  };
}

export type MinutesService = ReturnType<typeof createMinutesService>;
