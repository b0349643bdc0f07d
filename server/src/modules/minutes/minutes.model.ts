/**
 * The minutes (biên bản) as a pure model built from what happened: the
 * meeting row, the conference room's final presence and agenda timers, the
 * floor log, the published documents and the polls' stored results. No I/O,
 * no clock: the same facts always give the same minutes, so a finalised
 * record can be rebuilt and checked.
 */
import { BRIDGE_LEVELS, type BridgeLevel, type DelegateStatus, type PollResult } from '@diemcau/shared';
import type { BridgeFacts, DelegateFacts, DocumentFacts, MeetingFacts, MinutesFacts, PollFacts } from './minutes.types.ts';

export type { AgendaFacts, BridgeFacts, DelegateFacts, DocumentFacts, FloorLogFacts, MeetingFacts, MinutesFacts, PollFacts } from './minutes.types.ts';

export interface Tally {
  invited: number;
  presentOnline: number;
  presentInPerson: number;
  absent: number;
  /** Never marked present or absent. */
  unreported: number;
}

export interface BridgeLine extends Tally {
  bridgePointId: number;
  name: string;
  level: BridgeLevel;
  connected: boolean;
  /** Head count the bridge operator reported (may include non-delegates). */
  headCount: number;
}

export interface Absentee {
  fullName: string;
  bridge: string;
  level: BridgeLevel;
  reason: string;
}

export interface Speaker {
  order: number;
  name: string;
  bridge: string;
  startedAt: number;
  durationMs: number;
  topic: string;
}

export interface DocumentLine {
  /** 1-based number in the meeting's list of documents. */
  number: number;
  /** null when the document is confidential: its title is not printed. */
  title: string | null;
  confidential: boolean;
}

export interface ItemLine {
  id: number;
  number: number;
  title: string;
  presenter: string;
  plannedMinutes: number;
  usedMinutes: number;
  overMinutes: number;
  /** adjourned: never taken up, carried over to a later meeting. */
  status: 'discussed' | 'adjourned';
  speakers: Speaker[];
  /** Floor requests not heard (withdrawn or still queued at the end). */
  unheardRequests: number;
  documents: DocumentLine[];
  pollNumbers: number[];
}

export interface PollLine {
  number: number;
  pollId: number;
  title: string;
  kind: PollResult['kind'];
  mode: PollResult['mode'];
  majority: PollResult['majority'];
  eligible: number;
  voted: number;
  options: { label: string; votes: number; carried: boolean }[];
  quorumMet: boolean;
  invited: number;
  present: number;
  outcome: PollResult['outcome'];
  outcomeText: string;
  chainHead: string;
  /** Per-bridge subtotals; option counts only for open ballots (a secret ballot's place is never shown). */
  byBridge: { name: string; level: BridgeLevel; eligible: number; voted: number; counts: { label: string; votes: number }[] | null }[];
}

export interface Minutes {
  meeting: MeetingFacts & { form: 'in_person' | 'online'; bridgesConnected: number; bridgesInvited: number };
  attendance: {
    overall: Tally;
    byLevel: Record<BridgeLevel, Tally>;
    byBridge: BridgeLine[];
    /** Delegates attending from their own device, not from a bridge point. */
    ownDevice: Tally;
    absentees: Absentee[];
  };
  items: ItemLine[];
  polls: PollLine[];
  documents: DocumentLine[];
}

const MINUTE = 60_000;
const zero = (): Tally => ({ invited: 0, presentOnline: 0, presentInPerson: 0, absent: 0, unreported: 0 });
const KEY: Record<DelegateStatus, keyof Tally> = {
  present_online: 'presentOnline',
  present_in_person: 'presentInPerson',
  absent: 'absent',
  unknown: 'unreported',
};
export const LEVEL_NAME: Record<BridgeLevel, string> = { provincial: 'Cấp tỉnh', district: 'Cấp huyện', commune: 'Cấp xã' };
export const OWN_DEVICE = 'Thiết bị cá nhân';

const count = (t: Tally, d: DelegateFacts) => {
  t.invited++;
  t[KEY[d.status]]++;
};

function attendance(f: MinutesFacts): Minutes['attendance'] {
  const byLevel = Object.fromEntries(BRIDGE_LEVELS.map((l) => [l, zero()])) as Record<BridgeLevel, Tally>;
  const overall = zero();
  const ownDevice = zero();
  const bridgeName = new Map(f.bridges.map((b) => [b.bridgePointId, b.name]));
  const byBridge = new Map<number, BridgeLine>(
    f.bridges.map((b) => [
      b.bridgePointId,
      { ...zero(), bridgePointId: b.bridgePointId, name: b.name, level: b.level, connected: isConnected(b), headCount: b.delegatesPresent },
    ]),
  );
  const absentees: Absentee[] = [];
  for (const d of f.delegates) {
    count(overall, d);
    count(byLevel[d.level], d);
    const line = d.bridgePointId === null ? undefined : byBridge.get(d.bridgePointId);
    count(line ?? ownDevice, d);
    if (d.status === 'absent' || d.status === 'unknown') {
      absentees.push({
        fullName: d.fullName,
        bridge: d.bridgePointId === null ? OWN_DEVICE : (bridgeName.get(d.bridgePointId) ?? OWN_DEVICE),
        level: d.level,
        reason: d.status === 'absent' ? (d.reason ?? '') : 'Không báo cáo',
      });
    }
  }
  const rank = (l: BridgeLevel) => BRIDGE_LEVELS.indexOf(l);
  absentees.sort((a, b) => rank(a.level) - rank(b.level) || a.bridge.localeCompare(b.bridge, 'vi') || a.fullName.localeCompare(b.fullName, 'vi'));
  const lines = [...byBridge.values()].sort((a, b) => rank(a.level) - rank(b.level) || a.bridgePointId - b.bridgePointId);
  return { overall, byLevel, byBridge: lines, ownDevice, absentees };
}

/** A bridge was on the line if it ended online/degraded or answered a roll-call. */
const isConnected = (b: BridgeFacts) => b.status !== 'offline' || b.answeredRollCall;

/** Speakers of each item in the order they were given the floor, with how long each spoke. */
function speakersByItem(f: MinutesFacts): { speakers: Map<number, Speaker[]>; unheard: Map<number, number> } {
  const bridgeName = new Map(f.bridges.map((b) => [b.bridgePointId, b.name]));
  const speakers = new Map<number, Speaker[]>();
  const open = new Map<number, { itemId: number; s: Speaker }>();
  const requested = new Map<number, number>();
  const heard = new Set<number>();
  const endAt = f.meeting.endedAt;
  for (const e of [...f.floorLog].sort((a, b) => a.at - b.at)) {
    if (e.requestId === null || e.itemId === null) continue;
    if (e.kind === 'requested') requested.set(e.requestId, e.itemId);
    if (e.kind === 'granted') {
      heard.add(e.requestId);
      const list = speakers.get(e.itemId) ?? [];
      speakers.set(e.itemId, list);
      const s: Speaker = {
        order: list.length + 1,
        name: e.displayName ?? '',
        bridge: e.bridgePointId === null ? OWN_DEVICE : (bridgeName.get(e.bridgePointId) ?? OWN_DEVICE),
        startedAt: e.at,
        durationMs: 0,
        topic: e.topic ?? '',
      };
      list.push(s);
      open.set(e.requestId, { itemId: e.itemId, s });
    }
    if (e.kind === 'revoked') {
      const o = open.get(e.requestId);
      if (o) o.s.durationMs = Math.max(0, e.at - o.s.startedAt);
      open.delete(e.requestId);
    }
  }
  // A speech still open in the log ended with the meeting at the latest.
  for (const o of open.values()) if (endAt !== null) o.s.durationMs = Math.max(0, endAt - o.s.startedAt);
  const unheard = new Map<number, number>();
  for (const [req, item] of requested) if (!heard.has(req)) unheard.set(item, (unheard.get(item) ?? 0) + 1);
  return { speakers, unheard };
}

const num = new Intl.NumberFormat('vi-VN');

/** The outcome of a poll in words, as the minutes print it. */
function outcomeText(p: PollFacts): string {
  const r = p.result;
  if (r.outcome === 'no_quorum') return `Không đủ số đại biểu cần thiết (có mặt ${r.quorum.present}/${r.quorum.invited} đại biểu được triệu tập); kết quả không có giá trị.`;
  const names = (ids: string[]) => ids.map((id) => p.labels[id] ?? id).join(', ');
  const share = (n: number) => (r.eligible > 0 ? ` (${num.format(Math.round((n / r.eligible) * 1000) / 10)}% số đại biểu có quyền biểu quyết)` : '');
  const votesFor = (id: string) => r.options.find((o) => o.id === id)?.votes ?? 0;
  if (r.outcome === 'tie') return `Số phiếu ngang nhau giữa: ${names(r.tied)}; chưa có kết quả.`;
  if (r.kind === 'approval') {
    const yes = votesFor('yes');
    return r.outcome === 'passed'
      ? `Được thông qua với ${yes}/${r.eligible} đại biểu tán thành${share(yes)}.`
      : `Không được thông qua: ${yes}/${r.eligible} đại biểu tán thành${share(yes)}.`;
  }
  if (r.outcome === 'passed') {
    const verb = r.kind === 'election' ? 'Trúng cử' : 'Được chọn';
    return `${verb}: ${r.winners.map((id) => `${p.labels[id] ?? id} – ${votesFor(id)} phiếu${share(votesFor(id))}`).join('; ')}.`;
  }
  return 'Không có phương án nào đạt đa số cần thiết.';
}

export function buildMinutes(f: MinutesFacts): Minutes {
  const docNumber = new Map(f.documents.map((d, i) => [d.id, i + 1]));
  const docLine = (d: DocumentFacts): DocumentLine => {
    const confidential = d.classification === 'confidential' || d.everConfidential;
    return { number: docNumber.get(d.id)!, title: confidential ? null : d.title, confidential };
  };
  const documents = f.documents.map(docLine);
  const docById = new Map(f.documents.map((d) => [d.id, d]));
  const polls: PollLine[] = f.polls.map((p, i) => ({
    number: i + 1,
    pollId: p.id,
    title: p.title,
    kind: p.result.kind,
    mode: p.result.mode,
    majority: p.result.majority,
    eligible: p.result.eligible,
    voted: p.result.voted,
    options: p.result.options.map((o) => ({ label: p.labels[o.id] ?? o.label, votes: o.votes, carried: o.carried })),
    quorumMet: p.result.quorum.met,
    invited: p.result.quorum.invited,
    present: p.result.quorum.present,
    outcome: p.result.outcome,
    outcomeText: outcomeText(p),
    chainHead: p.result.chainHead,
    byBridge: p.result.byBridgePoint.map((b) => ({
      name: b.bridgePointId === null ? OWN_DEVICE : b.name,
      level: b.level,
      eligible: b.eligible,
      voted: b.voted,
      counts: p.result.mode === 'secret' || !b.counts ? null : b.counts.map((c) => ({ label: p.labels[c.id] ?? c.id, votes: c.votes })),
    })),
  }));
  const { speakers, unheard } = speakersByItem(f);
  const items: ItemLine[] = [...f.agenda]
    .sort((a, b) => a.position - b.position || a.id - b.id)
    .map((a, i) => {
      const usedMinutes = Math.round(a.usedMs / MINUTE);
      const spoke = speakers.get(a.id) ?? [];
      return {
        id: a.id,
        number: i + 1,
        title: a.title,
        presenter: a.presenter,
        plannedMinutes: a.plannedMinutes,
        usedMinutes,
        overMinutes: Math.max(0, usedMinutes - a.plannedMinutes),
        status: a.takenUp || a.usedMs > 0 || spoke.length > 0 ? 'discussed' : 'adjourned',
        speakers: spoke,
        unheardRequests: unheard.get(a.id) ?? 0,
        documents: a.documentIds.flatMap((id) => {
          const d = docById.get(id);
          return d ? [docLine(d)] : [];
        }),
        pollNumbers: polls.filter((_, j) => f.polls[j]!.agendaItemId === a.id).map((p) => p.number),
      };
    });
  const att = attendance(f);
  const connected = att.byBridge.filter((b) => b.connected).length;
  return {
    meeting: { ...f.meeting, form: connected > 1 ? 'online' : 'in_person', bridgesConnected: connected, bridgesInvited: f.bridges.length },
    attendance: att,
    items,
    polls,
    documents,
  };
}
