/**
 * The conference service's types and its mapping of the machine's refusals to AppErrors, apart
 * from the service (conference.service.ts) so that it stays about running commands.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AgendaItem, ErrorCode, Snapshot } from '@diemcau/shared';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../lib/app-error.ts';
import type { MeetingRow } from '../meetings/meetings.access.ts';
import type { AgendaItemRef } from './agenda.machine.ts';
import type { ConferenceEvent, ConferenceState } from './conference.machine.ts';
import type { Outgoing } from './conference.views.ts';
import type { PresenceState } from './presence.machine.ts';
import type { DomainError } from './result.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  FORBIDDEN: 403,
  NOT_MEMBER: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  MEETING_NOT_LIVE: 409,
};
export const toAppError = (e: DomainError) => new AppError(e.code, STATUS[e.code] ?? 400, e.message);

export interface ConferenceServiceDeps {
  database: Database;
  log: FastifyBaseLogger;
  /** Sends broadcasts to the meeting's room; `presence` names the bridges and delegates whose presence changed. */
  publish: (meetingId: number, out: readonly Outgoing[], presence: { bridges: number[]; delegates: number[] }) => void;
  now?: () => number;
  /** Whether this node runs the meeting (its lease, on a cluster); always on a single node. */
  owns?: (meetingId: number) => boolean;
  /** Whether it holds the meeting though its lease's renewal is late (plugins/lease.ts): a due expiry then waits. */
  holds?: (meetingId: number) => boolean;
}

/** The parts of the join snapshot this feature owns; presence raw, each member gets the part their role shows (presence.fanout.ts). */
export type ConferenceSnapshot = Pick<Snapshot, 'meeting' | 'agenda' | 'floor'> & { presence: PresenceState; version: number };

/** A command's outcome once committed. */
export interface Applied {
  state: ConferenceState;
  events: ConferenceEvent[];
  at: number;
  /** The agenda's items, read in the transaction when an agenda or timer view goes out with the events. */
  agenda?: readonly AgendaItem[] | null;
}

/** What a group-committed command does once its batch has committed (`afterCommit`). */
export type AfterCommit = () => void;

export interface SubmitOptions<V> {
  /** Runs in the batch, just before the command. */
  check?: () => void;
  /** The command's answer, made in the batch from its outcome: the batch holds it until the commit rather than the whole state. */
  view?: (r: Applied) => V;
}

/** What the memory keeps of a meeting: its state and the roster epoch it was aligned with. */
export interface Kept {
  state: ConferenceState;
  epoch: number;
}

/** What every command reads of its meeting besides the state. */
export interface MeetingReads {
  meeting: MeetingRow;
  items: AgendaItemRef[];
  epoch: number;
}
