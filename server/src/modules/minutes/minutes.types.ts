/** The facts the minutes are built from (minutes.facts.ts gathers them; minutes.model.ts turns them into the minutes), and the tables exported beside them. */
import type { BridgeLevel, Classification, PollResult } from '@diemcau/shared';
import type { DelegateEntry } from '../conference/presence.machine.ts';

export interface MeetingFacts {
  id: number;
  title: string;
  description: string;
  /** Scheduled times, ISO. */
  startsAt: string;
  endsAt: string;
  /** When the chair actually opened and closed it (epoch ms), null if never. */
  startedAt: number | null;
  endedAt: number | null;
  chairUnitName: string;
}

export interface BridgeFacts {
  bridgePointId: number;
  name: string;
  level: BridgeLevel;
  /** Final status reported by the bridge operator ('offline' if it never joined). */
  status: 'online' | 'degraded' | 'offline';
  delegatesPresent: number;
  /** Answered at least one roll-call: it was on the line even if offline at the end. */
  answeredRollCall: boolean;
}

/** A delegate as the room's presence recorded them, without the bookkeeping of who changed it when. */
export type DelegateFacts = Omit<DelegateEntry, 'updatedAt' | 'updatedBy'>;

export interface AgendaFacts {
  id: number;
  position: number;
  title: string;
  presenter: string;
  plannedMinutes: number;
  documentIds: number[];
  /** Time the item's clock ran, ms (banked time at the end of the meeting). */
  usedMs: number;
  /** The item was made current at some point (taken up), even if its clock never ran. */
  takenUp: boolean;
}

export interface FloorLogFacts {
  kind: 'requested' | 'withdrawn' | 'reordered' | 'granted' | 'revoked';
  at: number;
  requestId: number | null;
  itemId: number | null;
  userId: number | null;
  bridgePointId: number | null;
  displayName: string | null;
  topic: string | null;
}

export interface DocumentFacts {
  id: number;
  title: string;
  classification: Classification;
  /** Set when any version is or ever was confidential: the whole document is treated as such. */
  everConfidential: boolean;
}

export interface PollFacts {
  id: number;
  title: string;
  agendaItemId: number | null;
  /** Stored result of a closed or published poll; polls never closed are left out. */
  result: PollResult;
  /** Labels of the options, by id. */
  labels: Record<string, string>;
}

export interface MinutesFacts {
  meeting: MeetingFacts;
  bridges: BridgeFacts[];
  delegates: DelegateFacts[];
  agenda: AgendaFacts[];
  floorLog: FloorLogFacts[];
  documents: DocumentFacts[];
  polls: PollFacts[];
}

/** The tables exported beside the minutes (minutes.export.ts); here so the routes validate without loading exceljs. */
export const EXPORT_TABLES = ['attendance', 'bridges', 'speakers', 'polls', 'receipts', 'views'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];
