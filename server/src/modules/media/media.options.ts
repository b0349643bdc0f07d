/** What MediaService (media.service.ts) is started with. */
import type { LinkThresholds } from './link-state.ts';
import type { MediaLogger } from './logger.ts';
import type { ClusterOptions } from './media.cluster.ts';
import type { MediaNotifier } from './media.notifier.ts';
import type { CostModel } from './placement.ts';

export interface MediaServiceOptions {
  workerBin: string;
  numWorkers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  listenIp: string;
  announcedIp: string | null;
  consumerBudgetPerRouter: number;
  /** A worker counts as full at this CPU, % of one core (placement.ts). */
  workerCpuLimit?: number;
  loadSampleMs?: number;
  cost?: CostModel;
  notifier: MediaNotifier;
  logger?: MediaLogger;
  /** How often link quality is sampled. */
  linkIntervalMs?: number;
  linkThresholds?: LinkThresholds;
  /** The chair's own hall in a meeting (live and on stage from the start), if it has one; read once per meeting. */
  chairHall?: (meetingId: number) => Promise<number | null>;
  /** Piping media to and from other nodes (issue 12); absent on a single node. */
  cluster?: ClusterOptions;
}
