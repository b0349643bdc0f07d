/**
 * HTTP API schemas (TypeBox). The server validates with them and serves them in
 * OpenAPI; the web client derives its types from them.
 */
import Type, { type Static } from 'typebox';
import { BRIDGE_LEVELS, LEVELS, MEETING_KINDS, MEETING_STATUSES, ROLES } from './domain.ts';
import { ERROR_CODES } from './errors.ts';
import { HumanName, HumanText, LongText } from './text.ts';

export const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export const Id = Type.Integer({ minimum: 1 });
const Name = HumanName(200);
const IsoDateTime = Type.String({ format: 'date-time', maxLength: 40 });

export const RoleSchema = Type.Enum(ROLES);
export const LevelSchema = Type.Enum(LEVELS);
export const BridgeLevelSchema = Type.Enum(BRIDGE_LEVELS);
export const MeetingStatusSchema = Type.Enum(MEETING_STATUSES);
export const MeetingKindSchema = Type.Enum(MEETING_KINDS);

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.Enum(ERROR_CODES),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

export const Ok = Type.Object({ ok: Type.Literal(true) });

// ---- units ----------------------------------------------------------------
export const Unit = Type.Object({
  id: Id,
  parentId: Type.Union([Id, Type.Null()]),
  provinceId: Id,
  level: LevelSchema,
  code: Type.String(),
  name: Type.String(),
});
export type Unit = Static<typeof Unit>;
export const UnitCreate = Type.Object(
  {
    parentId: Type.Union([Id, Type.Null()]),
    code: Type.String({ minLength: 1, maxLength: 20, pattern: '^[0-9A-Za-z_-]+$' }),
    name: Name,
  },
  { additionalProperties: false },
);
export const UnitUpdate = Type.Partial(Type.Omit(UnitCreate, ['parentId']), { additionalProperties: false });

// ---- bridge points ----------------------------------------------------------
export const BridgePoint = Type.Object({
  id: Id,
  unitId: Id,
  level: BridgeLevelSchema,
  name: Type.String(),
  roomName: Type.String(),
  operatorUserId: Type.Union([Id, Type.Null()]),
});
export type BridgePoint = Static<typeof BridgePoint>;
export const BridgePointCreate = Type.Object(
  {
    unitId: Id,
    name: Name,
    roomName: Name,
    operatorUserId: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false },
);
export const BridgePointUpdate = Type.Partial(Type.Omit(BridgePointCreate, ['unitId']), {
  additionalProperties: false,
});

// ---- users ------------------------------------------------------------------
export const User = Type.Object({
  id: Id,
  username: Type.String(),
  fullName: Type.String(),
  title: Type.String(),
  role: RoleSchema,
  unitId: Type.Union([Id, Type.Null()]),
  homeBridgePointId: Type.Union([Id, Type.Null()]),
  active: Type.Boolean(),
  /** Where reminders and new-material notices are mailed; null: in-app only. */
  email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type User = Static<typeof User>;
const Email = Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()]);
const Username = Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z0-9._-]+$' });
// Length and strength are the server's password policy (typed PASSWORD_* errors), not a schema bound.
const Password = Type.String({ minLength: 1, maxLength: 200 });
export const UserCreate = Type.Object(
  {
    username: Username,
    password: Password,
    fullName: Name,
    title: Type.Optional(HumanText({ maxLength: 200 })),
    role: RoleSchema,
    unitId: Type.Union([Id, Type.Null()]),
    homeBridgePointId: Type.Optional(Type.Union([Id, Type.Null()])),
    email: Type.Optional(Email),
  },
  { additionalProperties: false },
);
export const UserUpdate = Type.Partial(
  Type.Object(
    {
      password: Password,
      fullName: Name,
      title: HumanText({ maxLength: 200 }),
      homeBridgePointId: Type.Union([Id, Type.Null()]),
      active: Type.Boolean(),
      email: Email,
    },
    { additionalProperties: false },
  ),
  { additionalProperties: false },
);

// ---- auth -------------------------------------------------------------------
export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const Me = Type.Object({
  user: User,
  provinceId: Type.Union([Id, Type.Null()]),
  bridgePointId: Type.Union([Id, Type.Null()]),
  /** Set when signed in by a QR code: the one meeting this session may enter. */
  scopeMeetingId: Type.Union([Id, Type.Null()]),
  token: Type.Optional(Type.String()),
});
export type Me = Static<typeof Me>;

/** A voting PIN: 4 to 6 digits. */
export const VotePin = Type.String({ pattern: '^[0-9]{4,6}$' });
/** Own password change; the other sessions of the account end. */
export const PasswordChangeBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 200 }), newPassword: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
/** Sets the own voting PIN from a password session. */
export const VotePinSetBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 200 }), pin: VotePin }, { additionalProperties: false });
export const VotePinStatus = Type.Object({ pinSet: Type.Boolean() });

// ---- meetings ---------------------------------------------------------------
export const Meeting = Type.Object({
  id: Id,
  title: Type.String(),
  kind: MeetingKindSchema,
  description: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  status: MeetingStatusSchema,
  chairUnitId: Id,
  createdBy: Type.Union([Id, Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Meeting = Static<typeof Meeting>;
export const MeetingCreate = Type.Object(
  {
    title: HumanName(300),
    kind: MeetingKindSchema,
    description: Type.Optional(LongText({ maxLength: 5000 })),
    startsAt: IsoDateTime,
    endsAt: IsoDateTime,
    chairUnitId: Id,
  },
  { additionalProperties: false },
);
export const MeetingUpdate = Type.Partial(Type.Omit(MeetingCreate, ['chairUnitId']), {
  additionalProperties: false,
});
export const MeetingTransition = Type.Object({ to: MeetingStatusSchema }, { additionalProperties: false });
export const Invitation = Type.Object({
  bridgePoints: Type.Array(BridgePoint),
  delegates: Type.Array(
    Type.Object({ userId: Id, fullName: Type.String(), unitId: Type.Union([Id, Type.Null()]), bridgePointId: Type.Union([Id, Type.Null()]) }),
  ),
});
export type Invitation = Static<typeof Invitation>;
export const InviteBridgePoints = Type.Object(
  {
    bridgePointIds: Type.Optional(Type.Array(Id, { maxItems: 2000 })),
    // Picking a unit in the tree invites every bridge point in its subtree.
    unitIds: Type.Optional(Type.Array(Id, { maxItems: 2000 })),
  },
  { additionalProperties: false },
);
export const InviteDelegates = Type.Object(
  {
    userIds: Type.Array(Id, { minItems: 1, maxItems: 2000 }),
    bridgePointId: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false },
);
export const MeetingMemberParams = Type.Object(
  { id: Id, memberId: Id },
  { additionalProperties: false },
);

// ---- agenda -----------------------------------------------------------------
export const AgendaItem = Type.Object({
  id: Id,
  meetingId: Id,
  position: Type.Integer({ minimum: 0 }),
  title: Type.String(),
  presenter: Type.String(),
  plannedMinutes: Type.Integer({ minimum: 1 }),
  documentIds: Type.Array(Id),
});
export type AgendaItem = Static<typeof AgendaItem>;
export const AgendaItemCreate = Type.Object(
  {
    title: HumanName(300),
    presenter: Type.Optional(HumanText({ maxLength: 200 })),
    plannedMinutes: Type.Integer({ minimum: 1, maximum: 600 }),
    documentIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export const AgendaItemUpdate = Type.Partial(AgendaItemCreate, { additionalProperties: false });
export const AgendaItemParams = Type.Object({ id: Id, itemId: Id }, { additionalProperties: false });
export const AgendaOrder = Type.Object(
  { itemIds: Type.Array(Id, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);

// ---- audit ------------------------------------------------------------------
export const AuditEntry = Type.Object({
  id: Id,
  at: Type.String(),
  actorUserId: Type.Union([Id, Type.Null()]),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
});
export const AuditEntryView = Type.Object({
  ...AuditEntry.properties,
  ip: Type.Union([Type.String(), Type.Null()]),
  seq: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  hash: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEntryView = Static<typeof AuditEntryView>;
export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    actorUserId: Type.Optional(Id),
    targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(IsoDateTime),
    to: Type.Optional(IsoDateTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;
export const AuditPage = Type.Object({ total: Type.Integer({ minimum: 0 }), items: Type.Array(AuditEntryView) });
export type AuditPage = Static<typeof AuditPage>;
export const AuditVerification = Type.Object({
  ok: Type.Boolean(),
  length: Type.Integer({ minimum: 0 }),
  head: Type.String(),
  problems: Type.Array(Type.String()),
  firstBroken: Type.Union([
    Type.Object({ id: Id, seq: Type.Union([Type.Integer(), Type.Null()]), action: Type.String(), at: Type.String() }),
    Type.Null(),
  ]),
  /** One line naming the first broken entry, or saying the trail is intact. */
  message: Type.String(),
});
export type AuditVerification = Static<typeof AuditVerification>;

// ---- media workers (load and placement) -------------------------------------
export const MediaWorkerLoad = Type.Object({
  index: Type.Integer(),
  pid: Type.Union([Type.Integer(), Type.Null()]),
  /** Measured CPU, % of one core; null until sampled twice. */
  cpu: Type.Union([Type.Number(), Type.Null()]),
  /** What the cost model says the worker carries, % of one core. */
  modeled: Type.Number(),
  load: Type.Number(),
  limit: Type.Number(),
  consumers: Type.Integer(),
  producers: Type.Integer(),
  pipes: Type.Integer(),
  /** Meetings with a router on this worker. */
  meetingIds: Type.Array(Id),
});
export type MediaWorkerLoad = Static<typeof MediaWorkerLoad>;
export const MediaWorkers = Type.Object({ started: Type.Boolean(), workers: Type.Array(MediaWorkerLoad) });
export type MediaWorkers = Static<typeof MediaWorkers>;
