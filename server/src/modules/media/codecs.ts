/**
 * Router codecs. Opus for audio; VP8 for video because every Chromium and
 * Firefox build decodes it in software and it supports simulcast in
 * mediasoup-client, which the main stage relies on. H264 is offered too so
 * hardware-encoding room PCs can use it, but VP8 stays preferred.
 */
import type { ms } from './mediasoup.ts';

export const MEDIA_CODECS: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 300 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': 300,
    },
  },
];

/** Simulcast layers the bridges publish (low → high). The chair grid uses layer 0. */
export const SIMULCAST_LAYERS = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000, label: '180p' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000, label: '360p' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000, label: '720p' },
] as const;

export const MAX_SPATIAL_LAYER = SIMULCAST_LAYERS.length - 1;
