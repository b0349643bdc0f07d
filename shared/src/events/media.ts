/**
 * Video conference signalling (mediasoup). The server validates these
 * structurally; mediasoup then validates the RTP/DTLS details itself, and any
 * rejection comes back as a typed error ack.
 */
import Type, { type Static } from 'typebox';
import { command } from './define.ts';

const Id = Type.Integer({ minimum: 1 });
const MsId = Type.String({ minLength: 1, maxLength: 64 });
const Str = Type.String({ maxLength: 256 });
const Params = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown());

/** Who a stream belongs to: a bridge point (its room camera/mic) or a person (chair, delegate phone). */
export const SourceRef = Type.Union([
  Type.Object({ type: Type.Literal('bridge'), bridgePointId: Id }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('user'), userId: Id }, { additionalProperties: false }),
]);
export type SourceRef = Static<typeof SourceRef>;

/** Stable key for a source, e.g. `bp:12` or `u:7`. */
export const sourceKey = (s: SourceRef): string => (s.type === 'bridge' ? `bp:${s.bridgePointId}` : `u:${s.userId}`);

export const MediaKindSchema = Type.Enum(['audio', 'video']);
export const LinkStateSchema = Type.Enum(['good', 'weak', 'audio-only']);

const RtcpFeedback = Type.Object({ type: Str, parameter: Type.Optional(Str) });

export const RtpCapabilitiesSchema = Type.Object({
  codecs: Type.Optional(
    Type.Array(
      Type.Object({
        kind: MediaKindSchema,
        mimeType: Str,
        preferredPayloadType: Type.Optional(Type.Integer({ minimum: 0, maximum: 127 })),
        clockRate: Type.Integer({ minimum: 1 }),
        channels: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
        parameters: Type.Optional(Params),
        rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 16 })),
      }),
      { maxItems: 64 },
    ),
  ),
  headerExtensions: Type.Optional(
    Type.Array(
      Type.Object({
        kind: MediaKindSchema,
        uri: Str,
        preferredId: Type.Integer({ minimum: 1, maximum: 255 }),
        preferredEncrypt: Type.Optional(Type.Boolean()),
        direction: Type.Optional(Type.Enum(['sendrecv', 'sendonly', 'recvonly', 'inactive'])),
      }),
      { maxItems: 32 },
    ),
  ),
});
export type RtpCapabilitiesData = Static<typeof RtpCapabilitiesSchema>;

export const RtpParametersSchema = Type.Object({
  mid: Type.Optional(Type.String({ maxLength: 32 })),
  codecs: Type.Array(
    Type.Object({
      mimeType: Str,
      payloadType: Type.Integer({ minimum: 0, maximum: 127 }),
      clockRate: Type.Integer({ minimum: 1 }),
      channels: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
      parameters: Type.Optional(Params),
      rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 16 })),
    }),
    { minItems: 1, maxItems: 16 },
  ),
  headerExtensions: Type.Optional(
    Type.Array(
      Type.Object({
        uri: Str,
        id: Type.Integer({ minimum: 1, maximum: 255 }),
        encrypt: Type.Optional(Type.Boolean()),
        parameters: Type.Optional(Params),
      }),
      { maxItems: 32 },
    ),
  ),
  encodings: Type.Optional(
    Type.Array(
      Type.Object({
        ssrc: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
        rid: Type.Optional(Type.String({ maxLength: 32 })),
        codecPayloadType: Type.Optional(Type.Integer({ minimum: 0, maximum: 127 })),
        rtx: Type.Optional(Type.Object({ ssrc: Type.Integer({ minimum: 0, maximum: 0xffffffff }) })),
        dtx: Type.Optional(Type.Boolean()),
        scalabilityMode: Type.Optional(Type.String({ maxLength: 16 })),
        scaleResolutionDownBy: Type.Optional(Type.Number({ minimum: 1 })),
        maxBitrate: Type.Optional(Type.Number({ minimum: 0 })),
      }),
      { maxItems: 4 },
    ),
  ),
  rtcp: Type.Optional(
    Type.Object({ cname: Type.Optional(Str), reducedSize: Type.Optional(Type.Boolean()), mux: Type.Optional(Type.Boolean()) }),
  ),
});
export type RtpParametersData = Static<typeof RtpParametersSchema>;

export const DtlsParametersSchema = Type.Object({
  role: Type.Optional(Type.Enum(['auto', 'client', 'server'])),
  fingerprints: Type.Array(Type.Object({ algorithm: Type.String({ maxLength: 32 }), value: Type.String({ maxLength: 256 }) }), {
    minItems: 1,
    maxItems: 8,
  }),
});
export type DtlsParametersData = Static<typeof DtlsParametersSchema>;

export const ProducerInfo = Type.Object({
  producerId: MsId,
  kind: MediaKindSchema,
  source: SourceRef,
  /** Display name of the bridge point or person. */
  label: Type.String(),
  paused: Type.Boolean(),
});
export type ProducerInfo = Static<typeof ProducerInfo>;

export const StageInfo = Type.Object({
  source: Type.Union([SourceRef, Type.Null()]),
  videoProducerId: Type.Union([MsId, Type.Null()]),
  audioProducerId: Type.Union([MsId, Type.Null()]),
  /**
   * The chair pinned the stage by hand: the floor no longer moves it. Unpinned,
   * granting the floor to a bridge puts it on stage and revoking returns the
   * stage to the chair's hall.
   */
  pinned: Type.Optional(Type.Boolean()),
});
export type StageInfo = Static<typeof StageInfo>;

export const MicInfo = Type.Object({
  source: SourceRef,
  /** True when the mic producer is paused by policy or by the source itself. */
  muted: Type.Boolean(),
  /** What caused the latest change. */
  by: Type.Enum(['floor', 'chair', 'self', 'mute-all', 'join']),
});
export type MicInfo = Static<typeof MicInfo>;

export const LinkInfo = Type.Object({
  source: SourceRef,
  state: LinkStateSchema,
  /** 0..10 (mediasoup score). */
  score: Type.Number(),
  maxSpatialLayer: Type.Integer({ minimum: 0 }),
  bitrateKbps: Type.Union([Type.Number(), Type.Null()]),
  loss: Type.Union([Type.Number(), Type.Null()]),
});
export type LinkInfo = Static<typeof LinkInfo>;

export const SpeakerInfo = Type.Object({
  source: Type.Union([SourceRef, Type.Null()]),
  producerId: Type.Union([MsId, Type.Null()]),
  /** dBov, -127..0; null on silence. */
  volume: Type.Union([Type.Number(), Type.Null()]),
});
export type SpeakerInfo = Static<typeof SpeakerInfo>;

/** The `media` part of the meeting:join snapshot. */
export const MediaSnapshot = Type.Object({
  stage: StageInfo,
  activeSpeaker: SpeakerInfo,
  producers: Type.Array(ProducerInfo),
  mics: Type.Array(MicInfo),
  /** Only filled for the chair. */
  links: Type.Array(LinkInfo),
});
export type MediaSnapshot = Static<typeof MediaSnapshot>;

const Empty = Type.Object({}, { additionalProperties: false });
const TransportRef = Type.Object({ transportId: MsId }, { additionalProperties: false });
const ConsumerRef = Type.Object({ consumerId: MsId }, { additionalProperties: false });
const ProducerRef = Type.Object({ producerId: MsId }, { additionalProperties: false });

export const TransportOptions = Type.Object({
  id: MsId,
  iceParameters: Type.Unknown(),
  iceCandidates: Type.Array(Type.Unknown()),
  dtlsParameters: Type.Unknown(),
});
export type TransportOptions = Static<typeof TransportOptions>;

export const ConsumerOptions = Type.Object({
  consumerId: MsId,
  producerId: MsId,
  kind: MediaKindSchema,
  rtpParameters: Type.Unknown(),
  type: Type.String(),
  paused: Type.Boolean(),
  producerPaused: Type.Boolean(),
  source: SourceRef,
});
export type ConsumerOptions = Static<typeof ConsumerOptions>;

export const mediaCommands = {
  /** Joins the meeting's media room; returns the router's RTP capabilities. */
  'media:get-capabilities': command(Empty, Type.Object({ routerRtpCapabilities: Type.Unknown() })),
  /** `rtpCapabilities` (the device's) is required for a receive transport. */
  'transport:create': command(
    Type.Object(
      { direction: Type.Enum(['send', 'recv']), rtpCapabilities: Type.Optional(RtpCapabilitiesSchema) },
      { additionalProperties: false },
    ),
    TransportOptions,
  ),
  'transport:connect': command(
    Type.Object({ transportId: MsId, dtlsParameters: DtlsParametersSchema }, { additionalProperties: false }),
    Type.Object({}),
  ),
  'transport:restart-ice': command(TransportRef, Type.Object({ iceParameters: Type.Unknown() })),
  /** One producer per kind per participant. A bridge's mic starts paused until the floor or the chair opens it. */
  'media:produce': command(
    Type.Object({ transportId: MsId, kind: MediaKindSchema, rtpParameters: RtpParametersSchema }, { additionalProperties: false }),
    Type.Object({ producerId: MsId, paused: Type.Boolean() }),
  ),
  'media:consume': command(
    Type.Object(
      {
        transportId: MsId,
        producerId: MsId,
        /** Wanted simulcast layer; the server may cap it on a weak link. Defaults to the highest. */
        spatialLayer: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
      },
      { additionalProperties: false },
    ),
    ConsumerOptions,
  ),
  'consumer:pause': command(ConsumerRef, Type.Object({})),
  'consumer:resume': command(ConsumerRef, Type.Object({})),
  'consumer:set-layers': command(
    Type.Object(
      {
        consumerId: MsId,
        spatialLayer: Type.Integer({ minimum: 0, maximum: 2 }),
        temporalLayer: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
      },
      { additionalProperties: false },
    ),
    Type.Object({ spatialLayer: Type.Integer() }),
  ),
  'producer:pause': command(ProducerRef, Type.Object({ paused: Type.Boolean() })),
  /** Resuming a mic is refused while the chair or the floor keeps it closed. */
  'producer:resume': command(ProducerRef, Type.Object({ paused: Type.Boolean() })),
  'producer:close': command(ProducerRef, Type.Object({})),
  /** Chair only: who is on the main stage (null clears it). */
  'stage:set': command(Type.Object({ source: Type.Union([SourceRef, Type.Null()]) }, { additionalProperties: false }), StageInfo),
  /** Chair only: pin the stage where it is (the floor stops moving it) or unpin it (it follows the floor again). */
  'stage:pin': command(Type.Object({ pinned: Type.Boolean() }, { additionalProperties: false }), StageInfo),
  /** Chair only: mute or open one source's mic. */
  'media:mute': command(Type.Object({ source: SourceRef, muted: Type.Boolean() }, { additionalProperties: false }), MicInfo),
  /** Chair only: mute every bridge and delegate. */
  'media:mute-all': command(Empty, Type.Object({ muted: Type.Integer({ minimum: 0 }) })),
};

export const mediaBroadcasts = {
  'stage:changed': StageInfo,
  'speaker:active': SpeakerInfo,
  /** Sent to the chair only. */
  'link:changed': LinkInfo,
  'producer:added': ProducerInfo,
  'producer:closed': Type.Object({ producerId: MsId, source: SourceRef, kind: MediaKindSchema }),
  'producer:paused': Type.Object({ producerId: MsId, paused: Type.Boolean() }),
  'media:muted': MicInfo,
  /** The media room was rebuilt (a worker died): drop transports and join media again. */
  'media:room-reset': Type.Object({ reason: Type.String() }),
};
