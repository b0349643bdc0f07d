/**
 * Live voting (biểu quyết) contract: poll lifecycle commands for the
 * secretariat, `vote:cast` for delegates, and the broadcasts every screen
 * follows. The rules themselves live in the server's pure poll core.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { command } from './define.ts';
import { HumanName, HumanText } from '../text.ts';
import {
  BallotModeSchema, HallCountInfo, MajorityBaseSchema, MajorityRuleSchema, OptionCount, PollKindSchema, PollOption, PollResult, PollView,
  QuorumRule, ReceiptCheck, Turnout,
} from './voting-views.ts';

export * from './voting-views.ts';

const Id = Type.Integer({ minimum: 1 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
// The same field schemas the views use, so requests and views cannot drift apart.
const OptionId = PollOption.properties.id;
const Receipt = ReceiptCheck.properties.receipt;
const Hash = PollResult.properties.chainHead;

/** A device-made random ballot id (a UUID); the server never publishes it. */
export const BALLOT_ID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const BallotId = Type.String({ pattern: BALLOT_ID_PATTERN });

/** What the secretariat fills in to draft a poll. Kind-specific fields are checked by the server. */
export const PollCreate = Type.Object(
  {
    agendaItemId: Nullable(Id),
    title: HumanName(300),
    kind: PollKindSchema,
    /** Option or candidate labels; not used by approval polls. */
    options: Type.Optional(Type.Array(HumanName(200), { maxItems: 100 })),
    /** multiple: fewest and most options a ballot may mark. */
    minChoices: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    maxChoices: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /** election: how many candidates are to be elected (a ballot marks up to this many). */
    seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    mode: BallotModeSchema,
    majority: MajorityRuleSchema,
    majorityBase: Type.Optional(MajorityBaseSchema),
    quorum: Type.Optional(QuorumRule),
    /** Countdown: the poll closes by itself this many seconds after opening. */
    durationSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 5, maximum: 24 * 3600 }))),
    /** Whether a delegate may change their ballot until the poll closes. Off by default. */
    allowChange: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PollCreate = Static<typeof PollCreate>;

const PollRef = Type.Object({ pollId: Id }, { additionalProperties: false });

/** A bridge operator's count for their hall: how many delegates are present and how the hands went per option. */
export const HallCountEntry = Type.Object(
  {
    pollId: Id,
    present: Type.Integer({ minimum: 0, maximum: 100_000 }),
    counts: Type.Array(Type.Object({ id: OptionId, votes: Type.Integer({ minimum: 0, maximum: 100_000 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 100,
    }),
  },
  { additionalProperties: false },
);
export type HallCountEntry = Static<typeof HallCountEntry>;

export const votingCommands = {
  /** Secretariat: draft a poll in the joined meeting. */
  'poll:create': command(PollCreate, PollView),
  /** Secretariat: open a draft; freezes the eligible list and starts any countdown. */
  'poll:open': command(PollRef, PollView),
  'poll:close': command(PollRef, Type.Object({ poll: PollView, result: PollResult })),
  'poll:cancel': command(
    Type.Object({ pollId: Id, reason: Type.Optional(HumanText({ maxLength: 500 })) }, { additionalProperties: false }),
    PollView,
  ),
  'poll:publish': command(PollRef, Type.Object({ poll: PollView, result: PollResult, chainHead: Hash })),
  /**
   * Bridge operator: enter (or change, until the poll closes) the hall's count
   * for an open-ballot poll. The count may not exceed the delegates present in
   * the hall who did not vote by phone.
   */
  'poll:hall-count': command(HallCountEntry, HallCountInfo),
  /**
   * Delegate: cast (or, where the poll allows it, change) one's own ballot.
   * `ballotId` is a random id the device makes once per ballot and keeps to
   * itself: a retry with the same id gets the original ack (and receipt)
   * back, and a secret ballot is changed by sending new choices under the
   * same id. Acked only after the ballot is committed to disk.
   */
  'vote:cast': command(
    Type.Object(
      {
        pollId: Id,
        choices: Type.Array(OptionId, { maxItems: 100 }),
        ballotId: BallotId,
      },
      { additionalProperties: false },
    ),
    Type.Object({ pollId: Id, receipt: Nullable(Receipt), changed: Type.Boolean() }),
  ),
};

export const votingBroadcasts = {
  'poll:opened': Type.Object({ poll: PollView, turnout: Turnout }),
  /** Coalesced: at most a few per second however fast ballots arrive. */
  'poll:turnout-changed': Turnout,
  /** Open ballots only, to secretariat sockets only. Secret polls have no tally until they close. */
  'poll:tally-changed': Type.Object({ pollId: Id, voted: Type.Integer(), counts: Type.Array(OptionCount) }),
  'poll:closed': Type.Object({ poll: PollView, result: PollResult }),
  /** A hall's count was entered or changed. */
  'poll:hall-counted': HallCountInfo,
  'poll:published': Type.Object({ poll: PollView, result: PollResult, chainHead: Hash }),
  'poll:cancelled': Type.Object({ pollId: Id, poll: PollView, reason: Type.String() }),
};

