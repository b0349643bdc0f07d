/**
 * The live conference room: agenda control, item timers, floor requests,
 * presence and roll-call. Commands are `noun:verb`, broadcasts past tense.
 *
 * Every command names the meeting it is meant for; the server refuses it when
 * that is not the meeting the socket joined, so a stale screen can never act on
 * the wrong conference. Times are epoch milliseconds; views carry `serverNow`
 * so clients can run countdowns against the server clock despite skew.
 */
import Type from 'typebox';
import { HumanText } from '../text.ts';
import { MEETING_STATUSES } from '../domain.ts';
import { command } from './define.ts';
import {
  AgendaView, BRIDGE_STATUSES, BridgePresenceView, DelegatePresenceView, FLOOR_END_REASONS, FloorRequestView, FloorView,
  PresenceCounts, RollCallView, SpeakerView, TimerView,
} from './conference-views.ts';

export * from './conference-views.ts';

const Id = Type.Integer({ minimum: 1 });
const Ms = Type.Integer();
const NullableId = Type.Union([Id, Type.Null()]);
const MeetingRef = { meetingId: Id };
const strict = { additionalProperties: false } as const;

/** Input limits, exported so the UI can enforce the same bounds. */
export const CONFERENCE_LIMITS = {
  topicMax: 200,
  reasonMax: 200,
  delegatesPresentMax: 5000,
  extendMinutesMax: 120,
  speakingSecondsMin: 15,
  speakingSecondsMax: 3600,
  defaultSpeakingSeconds: 300,
  queueMax: 500,
} as const;

// ---- commands ----------------------------------------------------------------

const Empty = Type.Object(MeetingRef, strict);
const Limits = CONFERENCE_LIMITS;

export const conferenceCommands = {
  /** scheduled → live. Chair only. */
  'meeting:start': command(Empty, AgendaView),
  /** live → ended; the speaker loses the floor and the queue is cleared. Chair only. */
  'meeting:end': command(Empty, AgendaView),
  /** Moves to an agenda item; pauses the previous item's timer and clears the floor queue. */
  'agenda:set-current': command(Type.Object({ ...MeetingRef, itemId: Id }, strict), AgendaView),
  /** Starts or resumes the current item's timer. `itemId`, when given, must be the current item. */
  'timer:start': command(Type.Object({ ...MeetingRef, itemId: Type.Optional(Id) }, strict), TimerView),
  'timer:pause': command(Type.Object({ ...MeetingRef, itemId: Type.Optional(Id) }, strict), TimerView),
  'timer:extend': command(
    Type.Object(
      { ...MeetingRef, itemId: Type.Optional(Id), minutes: Type.Integer({ minimum: 1, maximum: Limits.extendMinutesMax }) },
      strict,
    ),
    TimerView,
  ),
  /** Asks to speak on the current item (delegate or bridge operator). */
  'floor:request': command(
    Type.Object(
      { ...MeetingRef, itemId: Type.Optional(Id), topic: Type.Optional(HumanText({ maxLength: Limits.topicMax })) },
      strict,
    ),
    FloorRequestView,
  ),
  /** Withdraws a queued request: your own, or any as chair. */
  'floor:withdraw': command(Type.Object({ ...MeetingRef, requestId: Id }, strict), FloorView),
  /** Chair: the full new order of the queue (a permutation of the queued ids). */
  'floor:reorder': command(
    Type.Object({ ...MeetingRef, requestIds: Type.Array(Id, { maxItems: Limits.queueMax }) }, strict),
    FloorView,
  ),
  /** Chair: gives the floor to a queued request, with a speaking-time limit. */
  'floor:grant': command(
    Type.Object(
      {
        ...MeetingRef,
        requestId: Id,
        limitSeconds: Type.Optional(
          Type.Integer({ minimum: Limits.speakingSecondsMin, maximum: Limits.speakingSecondsMax }),
        ),
      },
      strict,
    ),
    SpeakerView,
  ),
  /** Chair takes the floor back, or the speaker yields it. */
  'floor:revoke': command(Empty, FloorView),
  /** Bridge operator (own bridge) or chair: bridge status and head count. */
  'presence:set-bridge': command(
    Type.Object(
      {
        ...MeetingRef,
        bridgePointId: Type.Optional(Id),
        status: Type.Optional(Type.Enum(BRIDGE_STATUSES)),
        delegatesPresent: Type.Optional(Type.Integer({ minimum: 0, maximum: Limits.delegatesPresentMax })),
      },
      strict,
    ),
    BridgePresenceView,
  ),
  /** A delegate checks in; their bridge's operator or the chair marks them. `absent` needs a reason. */
  'presence:set-delegate': command(
    Type.Object(
      {
        ...MeetingRef,
        userId: Type.Optional(Id),
        status: Type.Enum(['present_online', 'present_in_person', 'absent']),
        reason: Type.Optional(HumanText({ maxLength: Limits.reasonMax })),
      },
      strict,
    ),
    DelegatePresenceView,
  ),
  /** Secretariat opens a roll-call (điểm danh). */
  'rollcall:start': command(Empty, RollCallView),
  /** Bridge operator confirms the head count of their bridge for the open roll-call. */
  'rollcall:confirm': command(
    Type.Object(
      {
        ...MeetingRef,
        bridgePointId: Type.Optional(Id),
        delegatesPresent: Type.Integer({ minimum: 0, maximum: Limits.delegatesPresentMax }),
      },
      strict,
    ),
    RollCallView,
  ),
  'rollcall:close': command(Empty, RollCallView),
};

// ---- broadcasts --------------------------------------------------------------

const At = { meetingId: Id };

export const conferenceBroadcasts = {
  'meeting:started': Type.Object({ ...At, status: Type.Enum(MEETING_STATUSES), at: Ms }),
  'meeting:ended': Type.Object({ ...At, status: Type.Enum(MEETING_STATUSES), at: Ms }),
  /** Meeting status, current item or timer changed. */
  'agenda:changed': Type.Object({ ...At, agenda: AgendaView }),
  'timer:changed': Type.Object({ ...At, timer: TimerView }),
  'floor:requested': Type.Object({ ...At, request: FloorRequestView }),
  'floor:withdrawn': Type.Object({ ...At, requestId: Id, reason: Type.Enum(FLOOR_END_REASONS) }),
  'floor:granted': Type.Object({ ...At, speaker: SpeakerView }),
  'floor:revoked': Type.Object({
    ...At,
    requestId: Id,
    userId: Id,
    bridgePointId: NullableId,
    reason: Type.Enum(FLOOR_END_REASONS),
    at: Ms,
  }),
  /** The whole floor after any change: the simplest way for screens to stay right. */
  'floor:queue-changed': Type.Object({ ...At, floor: FloorView }),
  'presence:changed': Type.Object({
    ...At,
    bridges: Type.Array(BridgePresenceView),
    delegates: Type.Array(DelegatePresenceView),
    counts: PresenceCounts,
  }),
  'rollcall:started': Type.Object({ ...At, rollCall: RollCallView }),
  'rollcall:confirmed': Type.Object({ ...At, rollCall: RollCallView, bridgePointId: Id }),
  'rollcall:closed': Type.Object({ ...At, rollCall: RollCallView }),
};

export type ConferenceCommandName = keyof typeof conferenceCommands;
export type ConferenceBroadcastName = keyof typeof conferenceBroadcasts;
