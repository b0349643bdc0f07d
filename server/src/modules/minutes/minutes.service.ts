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
import type { Db } from '../../db/index.ts';
import { auditHeadHash } from '../audit/audit.chain.ts';
import { AppError, badRequest, conflict, notFound } from '../../lib/app-error.ts';
import { writeAudit } from '../../plugins/audit.ts';
import type { ConferenceState } from '../conference/conference.machine.ts';
import type { FloorLogRow } from '../conference/conference.repo.ts';
import { meetingPlace, provinceOfUnit, type MeetingRow } from '../meetings/meetings.access.ts';
import { recordAttendance } from '../reports/reports.repo.ts';
import { headHash } from '../voting/voting.repo.ts';
import { loadFacts } from './minutes.facts.ts';
import { layout, type HeaderSettings } from './minutes.layout.ts';
import { merge3 } from './minutes.merge.ts';
import { buildMinutes, type Minutes } from './minutes.model.ts';
import * as repo from './minutes.repo.ts';

// pdf-lib, fontkit, docx, node-forge and @signpdf load on the first print, not at start (as the reports' exporters do).
const pdfWriter = () => import('./minutes.pdf.ts');
const docxWriter = () => import('./minutes.docx.ts');
const signer = () => import('./minutes.sign.ts');

const FIELD_RE = /^(number|venue|chair|secretary|overall|item:\d{1,9})$/;
const FIELD_MAX = 20_000;

export interface MinutesDeps {
  db: Db;
  config: Pick<Config, 'dataDir' | 'minutes'>;
  /** The conference room's state as it stands (the conference service's read). */
  roomState: (meetingId: number) => Promise<ConferenceState>;
  /** The room's floor log (the conference repo's). */
  floorLog: (meetingId: number) => Promise<FloorLogRow[]>;
}

const ended = (m: MeetingRow) => m.status === 'ended' || m.status === 'archived';

/** The saved header of a province, or the Party committee's default. */
export function headerForProvince(db: Db, provinceId: number): HeaderSettings {
  const saved = repo.getSettings(db, provinceId);
  if (saved) return saved;
  const name = meetingPlace(db, { chairUnitId: provinceId });
  const place = name.replace(/^(Tỉnh|Thành phố)\s+/i, '');
  return { style: 'party', superior: `Đảng bộ ${name}`, issuer: 'Tỉnh ủy', symbol: 'BB/TU', place };
}

/** The header of a meeting's minutes: that of the province its chairing unit belongs to. */
const headerFor = (db: Db, meeting: MeetingRow): HeaderSettings => headerForProvince(db, provinceOfUnit(db, meeting.chairUnitId) ?? meeting.chairUnitId);

/** Field values without their versions. */
const fieldValues = (fields: Record<string, repo.FieldValue>): Record<string, string> => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.value]));
const titleOf = (meeting: MeetingRow) => `Biên bản – ${meeting.title}`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function createMinutesService({ db, config, roomState, floorLog }: MinutesDeps) {
  const dir = join(config.dataDir, 'minutes');
  const fileOf = (meetingId: number, version: number, ext: 'pdf' | 'docx') => join(dir, `m${meetingId}-v${version}.${ext}`);

  /** The latest version, creating the first draft once the meeting has ended. */
  function current(meeting: MeetingRow, userId: number): repo.MinutesRow {
    const row = repo.latest(db, meeting.id);
    if (row) return row;
    if (!ended(meeting)) throw new AppError('ILLEGAL_TRANSITION', 409, 'Biên bản được lập sau khi kết thúc họp / minutes are drawn up once the meeting has ended');
    try {
      return repo.insertVersion(db, meeting.id, 1, userId, null);
    } catch {
      // Another secretary opened it at the same moment: the unique (meeting, version) kept one.
      return repo.latest(db, meeting.id)!;
    }
  }

  const model = async (meeting: MeetingRow): Promise<Minutes> => buildMinutes(loadFacts(db, meeting, await roomState(meeting.id), await floorLog(meeting.id)));

  /** What gets printed; a draft's fields are `edits` when the caller has read them already. */
  async function printInput(meeting: MeetingRow, row: repo.MinutesRow, edits?: Record<string, repo.FieldValue>) {
    if (row.snapshot) return { model: row.snapshot.model, fields: row.snapshot.fields, header: { ...headerFor(db, meeting), style: row.snapshot.style }, version: row.version, changeNote: row.changeNote };
    const fields = fieldValues(edits ?? repo.currentFields(db, row.id));
    return { model: await model(meeting), fields, header: headerFor(db, meeting), version: row.version, changeNote: row.changeNote };
  }

  return {
    async view(meeting: MeetingRow, userId: number) {
      const row = current(meeting, userId);
      const fields = repo.currentFields(db, row.id);
      const input = await printInput(meeting, row, fields);
      return {
        minutes: { id: row.id, version: row.version, status: row.status, changeNote: row.changeNote, finalisedAt: row.finalisedAt, pdfSha256: row.pdfSha256, docxSha256: row.docxSha256 },
        versions: repo.listVersions(db, meeting.id).map((v) => ({ version: v.version, status: v.status, changeNote: v.changeNote, finalisedAt: v.finalisedAt, pdfSha256: v.pdfSha256 })),
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
      return db.transaction(() => {
        const row = current(meeting, userId);
        if (row.status !== 'draft') throw new AppError('ILLEGAL_TRANSITION', 409, 'Biên bản đã hoàn thành; hãy lập bản sửa đổi / the minutes are final; make an amendment');
        const cur = repo.currentFields(db, row.id)[field] ?? { value: '', version: 0 };
        if (baseVersion > cur.version) throw conflict(`Field ${field} has no version ${baseVersion}`);
        const base = baseVersion === 0 ? '' : (repo.fieldAt(db, row.id, field, baseVersion) ?? '');
        const merged = cur.version === baseVersion ? value : merge3(base, value, cur.value);
        if (merged === cur.value && cur.version > 0) return { field, value: cur.value, version: cur.version, merged: cur.version !== baseVersion };
        repo.insertField(db, row.id, field, cur.version + 1, merged, userId);
        return { field, value: merged, version: cur.version + 1, merged: cur.version !== baseVersion };
      });
    },

    /** Draft: printed from the live model; final: the stored, signed file. */
    async file(meeting: MeetingRow, userId: number, version: number | null, format: 'pdf' | 'docx'): Promise<{ body: Buffer; version: number; final: boolean }> {
      const row = version === null ? current(meeting, userId) : repo.versionOf(db, meeting.id, version);
      if (!row) throw notFound('Minutes version');
      if (row.status === 'final') return { body: await readFile(fileOf(meeting.id, row.version, format)), version: row.version, final: true };
      const blocks = layout(await printInput(meeting, row));
      const title = titleOf(meeting);
      const body = format === 'pdf' ? await (await pdfWriter()).minutesPdf(blocks, title) : await (await docxWriter()).minutesDocx(blocks, title);
      return { body, version: row.version, final: false };
    },

    async finalise(meeting: MeetingRow, userId: number) {
      const row = current(meeting, userId);
      if (row.status !== 'draft') throw new AppError('ILLEGAL_TRANSITION', 409, 'Biên bản đã hoàn thành / the minutes are already final');
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
      const pollHeads = input.model.polls.map((p) => ({ pollId: p.pollId, head: headHash(db, p.pollId) }));
      return db.transaction(() => {
        const again = repo.versionOf(db, meeting.id, row.version)!;
        if (again.status !== 'draft') throw new AppError('ILLEGAL_TRANSITION', 409, 'Biên bản đã hoàn thành / the minutes are already final');
        const auditHead = auditHeadHash(db);
        const at = new Date().toISOString();
        repo.updateMinutes(db, row.id, {
          status: 'final',
          finalisedAt: at,
          finalisedBy: userId,
          snapshot: { model: input.model, fields: input.fields, style: input.header.style },
          pdfSha256,
          docxSha256,
          auditHead,
        });
        writeAudit(db, {
          actorUserId: userId,
          action: 'minutes.finalise',
          targetType: 'meeting',
          targetId: meeting.id,
          details: { version: row.version, pdfSha256, docxSha256, pollHeads, auditHead, changeNote: row.changeNote },
        });
        // The reports read per-bridge attendance from this summary; the minutes hold the final figures.
        recordAttendance(
          db,
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
      return db.transaction(() => {
        const last = current(meeting, userId);
        if (last.status !== 'final') throw new AppError('ILLEGAL_TRANSITION', 409, 'The latest version is still a draft');
        const next = repo.insertVersion(db, meeting.id, last.version + 1, userId, note);
        for (const [field, value] of Object.entries(last.snapshot?.fields ?? {})) repo.insertField(db, next.id, field, 1, value, userId);
        writeAudit(db, { actorUserId: userId, action: 'minutes.amend', targetType: 'meeting', targetId: meeting.id, details: { version: next.version, changeNote: note } });
        return { version: next.version };
      });
    },

    /** Text of the conclusions of a meeting's latest minutes version (the archive's row) for the archive search. */
    searchText(row: repo.MinutesRow | undefined): string {
      if (!row) return '';
      const fields = row.snapshot?.fields ?? fieldValues(repo.currentFields(db, row.id));
      return Object.entries(fields)
        .filter(([k]) => k === 'overall' || k.startsWith('item:'))
        .map(([, v]) => v)
        .join('\n');
    },
  };
}

export type MinutesService = ReturnType<typeof createMinutesService>;
