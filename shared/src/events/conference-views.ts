/**
 * Views of the live conference room: agenda and item timer, floor queue and
 * speaker, bridge and delegate presence, roll-call, and the `meeting:join`
 * snapshot. The commands and broadcasts that carry them are in conference.ts.
 * Times are epoch milliseconds; views carry `serverNow` so clients can run
 * countdowns against the server clock despite skew.
 */
import Type, { type Static } from 'typebox';
import { Meeting, AgendaItem } from '../api.ts';
import { BRIDGE_LEVELS, MEETING_STATUSES, ROLES } from '../domain.ts';

const Id = Type.Integer({ minimum: 1 });
const Ms = Type.Integer();
const NullableMs = Type.Union([Ms, Type.Null()]);
const NullableId = Type.Union([Id, Type.Null()]);

export const BRIDGE_STATUSES = ['online', 'offline', 'degraded'] as const;
export type BridgeStatus = (typeof BRIDGE_STATUSES)[number];
export const DELEGATE_STATUSES = ['unknown', 'present_online', 'present_in_person', 'absent'] as const;
export type DelegateStatus = (typeof DELEGATE_STATUSES)[number];
export const TIMER_STATUSES = ['idle', 'running', 'paused'] as const;
export type TimerStatus = (typeof TIMER_STATUSES)[number];
/** Why a speaker lost the floor or a request left the queue. */
export const FLOOR_END_REASONS = ['chair', 'yielded', 'expired', 'item-changed', 'meeting-ended', 'withdrawn'] as const;
export type FloorEndReason = (typeof FLOOR_END_REASONS)[number];

// ---- views -------------------------------------------------------------------

export const TimerView = Type.Object({
  itemId: Id,
  status: Type.Enum(TIMER_STATUSES),
  /** Planned minutes plus every extension. */
  allottedMs: Ms,
  extendedMs: Ms,
  /** Elapsed time banked before the current run. */
  accumulatedMs: Ms,
  /** When the current run started, or null when not running. */
  runningSince: NullableMs,
  elapsedMs: Ms,
  /** Negative once the item runs over time. */
  remainingMs: Ms,
  overtime: Type.Boolean(),
  overtimeMs: Ms,
  serverNow: Ms,
});
export type TimerView = Static<typeof TimerView>;

export const AgendaView = Type.Object({
  status: Type.Enum(MEETING_STATUSES),
  startedAt: NullableMs,
  endedAt: NullableMs,
  currentItemId: NullableId,
  items: Type.Array(AgendaItem),
  timer: Type.Union([TimerView, Type.Null()]),
});
export type AgendaView = Static<typeof AgendaView>;

export const FloorRequestView = Type.Object({
  id: Id,
  itemId: Id,
  userId: Id,
  bridgePointId: NullableId,
  displayName: Type.String(),
  topic: Type.String(),
  requestedAt: Ms,
});
export type FloorRequestView = Static<typeof FloorRequestView>;

export const SpeakerView = Type.Object({
  ...FloorRequestView.properties,
  grantedAt: Ms,
  limitMs: Ms,
  endsAt: Ms,
  remainingMs: Ms,
  grantedBy: Id,
});
export type SpeakerView = Static<typeof SpeakerView>;

export const FloorView = Type.Object({
  itemId: NullableId,
  queue: Type.Array(FloorRequestView),
  speaker: Type.Union([SpeakerView, Type.Null()]),
  serverNow: Ms,
});
export type FloorView = Static<typeof FloorView>;

export const BridgePresenceView = Type.Object({
  bridgePointId: Id,
  name: Type.String(),
  /** The unit code operators quote (search by it on the console). */
  code: Type.String(),
  level: Type.Enum(BRIDGE_LEVELS),
  status: Type.Enum(BRIDGE_STATUSES),
  /** First time the bridge came online in this meeting: null = never joined ("chưa kết nối"), else offline means dropped. */
  joinedAt: NullableMs,
  delegatesPresent: Type.Integer({ minimum: 0 }),
  updatedAt: NullableMs,
});
export type BridgePresenceView = Static<typeof BridgePresenceView>;

export const DelegatePresenceView = Type.Object({
  userId: Id,
  fullName: Type.String(),
  bridgePointId: NullableId,
  level: Type.Enum(BRIDGE_LEVELS),
  status: Type.Enum(DELEGATE_STATUSES),
  reason: Type.Union([Type.String(), Type.Null()]),
  updatedAt: NullableMs,
});
export type DelegatePresenceView = Static<typeof DelegatePresenceView>;

export const LevelCounts = Type.Object({
  bridges: Type.Integer(),
  online: Type.Integer(),
  degraded: Type.Integer(),
  offline: Type.Integer(),
  /** Sum of the head counts the bridge operators reported. */
  delegatesPresent: Type.Integer(),
  delegates: Type.Integer(),
  presentOnline: Type.Integer(),
  presentInPerson: Type.Integer(),
  absent: Type.Integer(),
  unknown: Type.Integer(),
});
export type LevelCounts = Static<typeof LevelCounts>;

export const PresenceCounts = Type.Object({
  overall: LevelCounts,
  provincial: LevelCounts,
  district: LevelCounts,
  commune: LevelCounts,
});
export type PresenceCounts = Static<typeof PresenceCounts>;

export const RollCallView = Type.Object({
  id: Id,
  status: Type.Enum(['open', 'closed']),
  startedAt: Ms,
  startedBy: Id,
  closedAt: NullableMs,
  confirmations: Type.Array(
    Type.Object({ bridgePointId: Id, delegatesPresent: Type.Integer({ minimum: 0 }), at: Ms, by: Id }),
  ),
  /** Bridges that have confirmed / bridges invited. */
  confirmed: Type.Integer(),
  expected: Type.Integer(),
});
export type RollCallView = Static<typeof RollCallView>;

export const PresenceView = Type.Object({
  bridges: Type.Array(BridgePresenceView),
  delegates: Type.Array(DelegatePresenceView),
  counts: PresenceCounts,
  /** The open roll-call, else the last closed one, else null. */
  rollCall: Type.Union([RollCallView, Type.Null()]),
});
export type PresenceView = Static<typeof PresenceView>;

/** What the socket may do in this meeting, so the UI shows only usable controls. */
export const YouView = Type.Object({
  userId: Id,
  role: Type.Enum(ROLES),
  bridgePointId: NullableId,
  /** Secretariat of the chairing province, or admin: may run the agenda and the floor. */
  chair: Type.Boolean(),
});
export type YouView = Static<typeof YouView>;

/**
 * The one state a client receives on `meeting:join` (and after any reconnect);
 * broadcasts follow as deltas. Other features add their optional parts.
 */
export const Snapshot = Type.Object({
  // Added by the realtime plugin's join handler around the feature parts.
  meetingId: Type.Optional(Id),
  /** Server clock (epoch ms) when the snapshot was taken. */
  serverTime: Type.Optional(Ms),
  protocol: Type.Optional(Type.Integer()),
  membership: Type.Optional(
    Type.Union([
      Type.Object({ kind: Type.Enum(['admin', 'secretariat', 'observer']) }),
      Type.Object({ kind: Type.Literal('bridge'), bridgePointId: Id }),
      Type.Object({ kind: Type.Literal('delegate'), bridgePointId: NullableId }),
    ]),
  ),
  meeting: Meeting,
  agenda: AgendaView,
  presence: PresenceView,
  floor: FloorView,
  you: Type.Optional(YouView),
  /** Persisted change counter: equal versions mean equal conference state. */
  version: Type.Optional(Type.Integer({ minimum: 0 })),
  poll: Type.Optional(Type.Unknown()),
  documents: Type.Optional(Type.Unknown()),
  media: Type.Optional(Type.Unknown()),
});
export type Snapshot = Static<typeof Snapshot>;
