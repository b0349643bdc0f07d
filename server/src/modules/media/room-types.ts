/** The shapes around a media Room (room.ts): its options, its events and its producer table. */
import type { MediaLogger } from './logger.ts';
import type { ms } from './mediasoup.ts';
import type { Peer } from './peer.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface RoomOptions {
  meetingId: number;
  pool: WorkerPool;
  /** Hard ceiling of consumers on one router; below it, placement goes by worker load. */
  consumerBudget: number;
  listenIp: string;
  announcedIp: string | null;
  logger?: MediaLogger;
}

export type RoomCloseReason = 'empty' | 'worker-died' | 'closed';

export interface RoomEvents {
  close: [reason: RoomCloseReason];
  newproducer: [{ peer: Peer; producer: ms.Producer }];
  producerclosed: [{ peer: Peer; producerId: string; kind: ms.MediaKind }];
  activespeaker: [{ peer: Peer | null; producerId: string | null; volume: number | null }];
  routeradded: [{ routerId: string; workerPid: number | null }];
}

/** A producer the room has adopted, with its owner and the router it lives on. */
export interface ProducerEntry {
  producer: ms.Producer;
  peer: Peer;
  router: ms.Router;
}
