/**
 * Meeting materials: documents with immutable versions (files stored by
 * content hash), QR tokens with revocation, download receipts, the
 * confidential view log and pending "new document" notifications.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Classification, ReceiptChannel, Role } from '@diemcau/shared';
import { bridgePoints, meetings, users } from '../../db/schema.ts';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const documents = sqliteTable(
  'documents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    classification: text('classification').$type<Classification>().notNull(),
    // Audience of a restricted document: anyone with one of these roles or in one of these units.
    audienceRoles: text('audience_roles', { mode: 'json' }).$type<Role[]>().notNull().default(sql`'[]'`),
    audienceUnitIds: text('audience_unit_ids', { mode: 'json' }).$type<number[]>().notNull().default(sql`'[]'`),
    currentVersion: integer('current_version').notNull().default(1),
    publishedAt: text('published_at'),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('documents_meeting_ix').on(t.meetingId)],
);

export const documentVersions = sqliteTable(
  'document_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    documentId: integer('document_id').notNull().references(() => documents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    fileName: text('file_name').notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    // Also the storage name: files/<sha256> under the data dir.
    sha256: text('sha256').notNull(),
    pages: integer('pages'),
    // Set once this version is, or ever was, part of a confidential document; never cleared.
    // Such a version is viewer-only forever, whatever the document's classification later becomes.
    confidential: integer('confidential', { mode: 'boolean' }).notNull().default(false),
    uploadedBy: integer('uploaded_by').references(() => users.id),
    uploadedAt: text('uploaded_at').notNull().default(now),
  },
  (t) => [uniqueIndex('document_versions_uq').on(t.documentId, t.version)],
);

export const qrTokens = sqliteTable(
  'qr_tokens',
  {
    jti: text('jti').primaryKey(),
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'delegate' | 'venue'>().notNull(),
    subjectId: integer('subject_id').notNull(),
    // The exact signed payload: the token can be re-rendered, and edits detected.
    payload: text('payload').notNull(),
    expiresAt: text('expires_at').notNull(),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
    revokedAt: text('revoked_at'),
    revokedBy: integer('revoked_by').references(() => users.id),
  },
  (t) => [index('qr_tokens_meeting_ix').on(t.meetingId, t.kind, t.subjectId)],
);

export const documentReceipts = sqliteTable(
  'document_receipts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    documentId: integer('document_id').notNull().references(() => documents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    // Null for downloads through a venue QR, which names no person.
    userId: integer('user_id').references(() => users.id),
    bridgePointId: integer('bridge_point_id').references(() => bridgePoints.id),
    channel: text('channel').$type<ReceiptChannel>().notNull(),
    tokenJti: text('token_jti'),
    at: text('at').notNull().default(now),
  },
  (t) => [index('document_receipts_doc_ix').on(t.documentId, t.userId), index('document_receipts_meeting_ix').on(t.meetingId)],
);

export const confidentialViews = sqliteTable(
  'confidential_views',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    documentId: integer('document_id').notNull().references(() => documents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    userId: integer('user_id').notNull().references(() => users.id),
    page: integer('page').notNull(),
    ip: text('ip'),
    at: text('at').notNull().default(now),
  },
  (t) => [index('confidential_views_doc_ix').on(t.documentId)],
);

export const documentNotifications = sqliteTable(
  'document_notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    documentId: integer('document_id').notNull().references(() => documents.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull().default(now),
    seenAt: text('seen_at'),
  },
  (t) => [index('document_notifications_user_ix').on(t.userId, t.seenAt), uniqueIndex('document_notifications_uq').on(t.userId, t.documentId)],
);

export type DocumentRow = typeof documents.$inferSelect;
export type VersionRow = typeof documentVersions.$inferSelect;
export type QrTokenRow = typeof qrTokens.$inferSelect;
