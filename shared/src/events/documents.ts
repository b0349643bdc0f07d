/**
 * Meeting materials (tài liệu) contract: the HTTP shapes of documents,
 * receipts and QR tokens, and the two live broadcasts. Documents change over
 * HTTP (uploads are multipart), so there are no socket commands.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { ROLES } from '../domain.ts';
import { HumanName } from '../text.ts';

const Id = Type.Integer({ minimum: 1 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * public_to_meeting: every invited participant; restricted: only the listed
 * roles or units; confidential (mật): never downloadable, viewed as
 * watermarked pages inside a signed-in session only.
 */
export const CLASSIFICATIONS = ['public_to_meeting', 'restricted', 'confidential'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
export const ClassificationSchema = Type.Enum(CLASSIFICATIONS);
export const RECEIPT_CHANNELS = ['qr', 'web'] as const;
export type ReceiptChannel = (typeof RECEIPT_CHANNELS)[number];

/** The facts of one stored version (also flattened into DocumentInfo for lists). */
const versionFacts = {
  version: Type.Integer({ minimum: 1 }),
  fileName: Type.String(),
  mime: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  sha256: Type.String(),
  pages: Nullable(Type.Integer({ minimum: 1 })),
};

export const DocumentVersion = Type.Object({
  ...versionFacts,
  uploadedAt: Type.String(),
  /** False for a version that is or ever was confidential: it is only viewed as watermarked pages, forever. */
  downloadable: Type.Boolean(),
});
export type DocumentVersion = Static<typeof DocumentVersion>;

export const DocumentInfo = Type.Object({
  id: Id,
  meetingId: Id,
  title: Type.String(),
  classification: ClassificationSchema,
  audienceRoles: Type.Array(Type.Enum(ROLES)),
  audienceUnitIds: Type.Array(Id),
  /** The current version's facts, flattened for lists. */
  ...versionFacts,
  status: Type.Enum(['draft', 'published']),
  publishedAt: Nullable(Type.String()),
  /** False for confidential documents: they are only viewed as pages. */
  downloadable: Type.Boolean(),
  /** True when the watermarked page viewer can show it. */
  viewable: Type.Boolean(),
  agendaItemIds: Type.Array(Id),
});
export type DocumentInfo = Static<typeof DocumentInfo>;

export const DocumentDetail = Type.Object({ document: DocumentInfo, versions: Type.Array(DocumentVersion) });
export type DocumentDetail = Static<typeof DocumentDetail>;

export const DocumentUpdate = Type.Object(
  {
    title: Type.Optional(HumanName(300)),
    classification: Type.Optional(ClassificationSchema),
    audienceRoles: Type.Optional(Type.Array(Type.Enum(ROLES), { maxItems: 5 })),
    audienceUnitIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
  },
  { additionalProperties: false },
);

export const DocumentParams = Type.Object({ id: Id, docId: Id }, { additionalProperties: false });
/** Lowering a classification is its own, audited act with a reason (the other paths refuse it). */
export const DocumentDeclassify = Type.Object(
  {
    classification: ClassificationSchema,
    reason: Type.String({ minLength: 3, maxLength: 1000 }),
    audienceRoles: Type.Optional(Type.Array(Type.Enum(ROLES), { maxItems: 5 })),
    audienceUnitIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export const DocumentAttach = Type.Object({ agendaItemId: Id, attached: Type.Boolean() }, { additionalProperties: false });

const Count = Type.Object({ received: Type.Integer({ minimum: 0 }), expected: Type.Integer({ minimum: 0 }) });
export const ReceiptCounts = Type.Object({
  /** Per document: distinct invited people who have it, of those entitled to it. */
  byDocument: Type.Array(
    Type.Intersect([
      Type.Object({
        documentId: Id,
        title: Type.String(),
        /** Downloads through the venue QR, not tied to a person. */
        anonymous: Type.Integer({ minimum: 0 }),
        byBridgePoint: Type.Array(Type.Intersect([Type.Object({ bridgePointId: Nullable(Id) }), Count])),
      }),
      Count,
    ]),
  ),
  /** Per bridge point, summed over the published downloadable documents. */
  byBridgePoint: Type.Array(Type.Intersect([Type.Object({ bridgePointId: Nullable(Id), name: Type.String() }), Count])),
});
export type ReceiptCounts = Static<typeof ReceiptCounts>;

export const QrTokenInfo = Type.Object({
  jti: Type.String(),
  kind: Type.Enum(['delegate', 'venue']),
  meetingId: Id,
  subjectId: Type.Integer({ minimum: 0 }),
  subjectName: Type.String(),
  url: Type.String(),
  expiresAt: Type.String(),
  revokedAt: Nullable(Type.String()),
});
export type QrTokenInfo = Static<typeof QrTokenInfo>;
export const QrVenueCreate = Type.Object({ bridgePointId: Type.Optional(Nullable(Id)) }, { additionalProperties: false });
export const QrTokenParams = Type.Object({ id: Id, jti: Type.String({ pattern: '^[A-Za-z0-9_-]{16}$' }) }, { additionalProperties: false });

export const DocumentNotification = Type.Object({
  id: Id,
  meetingId: Id,
  meetingTitle: Type.String(),
  documentId: Id,
  title: Type.String(),
  createdAt: Type.String(),
});
export type DocumentNotification = Static<typeof DocumentNotification>;

export const DocumentPublishedEvent = Type.Object({ meetingId: Id, document: DocumentInfo });
export const DocumentReceivedEvent = Type.Object({
  meetingId: Id,
  documentId: Id,
  version: Type.Integer({ minimum: 1 }),
  userId: Nullable(Id),
  fullName: Nullable(Type.String()),
  bridgePointId: Nullable(Id),
  channel: Type.Enum(RECEIPT_CHANNELS),
  at: Type.String(),
});
export type DocumentReceivedEvent = Static<typeof DocumentReceivedEvent>;

/** The `documents` part of the meeting:join snapshot. */
export const DocumentsSnapshot = Type.Object({ documents: Type.Array(DocumentInfo) });

export const documentsCommands = {};
export const documentsBroadcasts = {
  /** Sent to each participant entitled to the document, and to the secretariat. */
  'document:published': DocumentPublishedEvent,
  /** Sent to the secretariat of the meeting for every download. */
  'document:received': DocumentReceivedEvent,
};
