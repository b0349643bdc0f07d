/**
 * The active speaker of a media Room (room.ts): an audio-level observer on the
 * room's first router that hears every audio producer of the room (audio
 * produced on another router is piped to it, router-set.ts) and reports the
 * loudest one, or silence.
 */
import type { ms } from './mediasoup.ts';
import type { Peer } from './peer.ts';
import type { RoomEvents } from './room-types.ts';

export type ActiveSpeaker = RoomEvents['activespeaker'][0];

/** Creates the observer on `router`; nothing listens to it yet (watchActiveSpeaker). */
export function createSpeakerObserver(router: ms.Router): Promise<ms.AudioLevelObserver> {
  return router.createAudioLevelObserver({ maxEntries: 1, threshold: -70, interval: 800 });
}

/** Reports the observer's loudest producer (with its owner, `peerOf`) and silence through `emit`. */
export function watchActiveSpeaker(
  observer: ms.AudioLevelObserver,
  peerOf: (producerId: string) => Peer | null,
  emit: (speaker: ActiveSpeaker) => void,
): void {
  observer.on('volumes', (volumes: ms.AudioLevelObserverVolume[]) => {
    const top = volumes[0];
    if (!top) return;
    emit({ peer: peerOf(top.producer.id), producerId: top.producer.id, volume: top.volume });
  });
  observer.on('silence', () => emit({ peer: null, producerId: null, volume: null }));
}
