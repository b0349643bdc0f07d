/**
 * Piping a meeting's media to another node by hand (issue 12): the producers
 * arrive there under the same ids, where the meeting's room adopts them and its
 * bridges consume them like local ones. With the shared Redis the fanout
 * (media.fanout.ts) does this on its own; these, behind
 * POST /internal/media/meetings/:id/pipe, are the manual way.
 */
import { AppError } from '../../lib/app-error.ts';
import type { MediaCluster } from './media.cluster.ts';
import { sameSource } from './media.policy.ts';
import type { MeetingMedia } from './meeting-media.ts';

export function clusterOr409(cluster: MediaCluster | null): MediaCluster {
  if (!cluster) throw new AppError('CONFLICT', 409, 'This node is not part of a media cluster (CLUSTER_SECRET is not set)');
  return cluster;
}

/**
 * Pipes this node's main-stage and active-speaker producers of the meeting
 * (`mm`) to the node at `nodeUrl`. Idempotent: what is already piped there is
 * reused.
 */
export async function pipeStageTo(cluster: MediaCluster | null, mm: MeetingMedia | undefined, nodeUrl: string): Promise<{ producerIds: string[] }> {
  const c = clusterOr409(cluster);
  const room = mm?.room;
  if (!mm || !room || room.closed) throw new AppError('NOT_FOUND', 404, 'No live media room for this meeting on this node');
  const ids = room
    .producerEntries()
    .filter(({ producer, peer }) => (mm.stage && sameSource(mm.stage, peer.source)) || producer.id === mm.speaker.producerId)
    // Streams piped in from another node are sent on by their own origin, never relayed (no loops).
    .filter(({ peer }) => !c.ingress.isRemotePeer(peer))
    .map(({ producer }) => producer.id);
  return { producerIds: await Promise.all(ids.map((id) => c.pipeProducer(nodeUrl, room, id))) };
}

/** Pipes one producer of the meeting (`mm`) to the node at `nodeUrl`; resolves with its id there (the same id). */
export async function pipeProducerTo(cluster: MediaCluster | null, mm: MeetingMedia | undefined, producerId: string, nodeUrl: string): Promise<string> {
  const c = clusterOr409(cluster);
  const room = mm?.room;
  if (!room || room.closed) throw new AppError('NOT_FOUND', 404, 'No live media room for this meeting on this node');
  return c.pipeProducer(nodeUrl, room, producerId);
}
