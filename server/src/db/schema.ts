/**
 * Core tables. Feature modules add their own tables in
 * `src/modules/<feature>/<feature>.schema.ts`; drizzle-kit picks up both.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { BridgeLevel, Level, MeetingKind, MeetingStatus, Role } from '@diemcau/shared';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const units = sqliteTable(
  'units',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    parentId: integer('parent_id').references((): any => units.id),
    // Denormalised so every province-scoping check is one indexed lookup.
    provinceId: integer('province_id'),
    level: text('level').$type<Level>().notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('units_code_uq').on(t.code), index('units_parent_ix').on(t.parentId), index('units_province_ix').on(t.provinceId)],
);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    fullName: text('full_name').notNull(),
    title: text('title').notNull().default(''),
    role: text('role').$type<Role>().notNull(),
    unitId: integer('unit_id').references(() => units.id),
    homeBridgePointId: integer('home_bridge_point_id'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: text('created_at').notNull().default(now),
    // scrypt hash of the delegate's voting PIN: a QR session (printed sheet) needs it before casting a vote.
    votePinHash: text('vote_pin_hash'),
    // Where meeting reminders and new-material notices are mailed (internal mail server); null: in-app only.
    email: text('email'),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username), index('users_unit_ix').on(t.unitId)],
);

export const bridgePoints = sqliteTable(
  'bridge_points',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    unitId: integer('unit_id').notNull().references(() => units.id),
    level: text('level').$type<BridgeLevel>().notNull(),
    name: text('name').notNull(),
    roomName: text('room_name').notNull(),
    operatorUserId: integer('operator_user_id').references(() => users.id),
  },
  (t) => [index('bridge_points_unit_ix').on(t.unitId), uniqueIndex('bridge_points_operator_uq').on(t.operatorUserId)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    // SHA-256 of the bearer token: a leaked database does not leak live sessions.
    id: text('id').primaryKey(),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull().default(now),
    expiresAt: text('expires_at').notNull(),
    // A session opened by scanning a delegate's QR code is confined to that one
    // meeting and ends when the QR token is revoked; password sessions leave both null.
    scopeMeetingId: integer('scope_meeting_id').references((): any => meetings.id, { onDelete: 'cascade' }),
    qrJti: text('qr_jti'),
    // A QR session may vote only once the delegate entered their PIN in it.
    pinVerified: integer('pin_verified', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('sessions_user_ix').on(t.userId), index('sessions_qr_ix').on(t.qrJti)],
);

export const meetings = sqliteTable(
  'meetings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    kind: text('kind').$type<MeetingKind>().notNull(),
    description: text('description').notNull().default(''),
    startsAt: text('starts_at').notNull(),
    endsAt: text('ends_at').notNull(),
    status: text('status').$type<MeetingStatus>().notNull().default('draft'),
    chairUnitId: integer('chair_unit_id').notNull().references(() => units.id),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [index('meetings_chair_ix').on(t.chairUnitId), index('meetings_status_ix').on(t.status)],
);

export const meetingBridgePoints = sqliteTable(
  'meeting_bridge_points',
  {
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    bridgePointId: integer('bridge_point_id').notNull().references(() => bridgePoints.id),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.bridgePointId] })],
);

export const meetingDelegates = sqliteTable(
  'meeting_delegates',
  {
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    userId: integer('user_id').notNull().references(() => users.id),
    // Where the delegate attends in person; null means on their own phone.
    bridgePointId: integer('bridge_point_id').references(() => bridgePoints.id),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] }), index('meeting_delegates_user_ix').on(t.userId)],
);

export const agendaItems = sqliteTable(
  'agenda_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    presenter: text('presenter').notNull().default(''),
    plannedMinutes: integer('planned_minutes').notNull(),
    documentIds: text('document_ids', { mode: 'json' }).$type<number[]>().notNull().default(sql`'[]'`),
  },
  (t) => [index('agenda_items_meeting_ix').on(t.meetingId, t.position)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull().default(now),
    actorUserId: integer('actor_user_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    details: text('details', { mode: 'json' }).$type<unknown>(),
    ip: text('ip'),
    // Hash chain (plugins/audit.ts): null only on rows written before the chain existed, sealed at start.
    seq: integer('seq'),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_target_ix').on(t.targetType, t.targetId),
    index('audit_log_at_ix').on(t.at),
    uniqueIndex('audit_log_seq_ux').on(t.seq),
    index('audit_log_action_ix').on(t.action),
    index('audit_log_actor_ix').on(t.actorUserId),
  ],
);
