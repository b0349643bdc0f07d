/**
 * Wiring of ConferenceMedia's mediasoup transports: DTLS connect over the
 * command channel, and the ICE restart loop when a transport drops.
 */
import type { Transport } from 'mediasoup-client/types';
import type { TransportOptions } from '@diemcau/shared';
import type { ConferenceMediaOptions } from './conference-media-types.ts';

/**
 * Hooks `t` up to the server. `restarting` holds the ids of the session's transports
 * with an ICE restart loop running; `isClosed` tells whether the session was closed.
 */
export function wireTransport(t: Transport, opts: Pick<ConferenceMediaOptions, 'request'>, isClosed: () => boolean, restarting: Set<string>): Transport {
  t.on('connect', ({ dtlsParameters }, ok, fail) => {
    opts.request('transport:connect', { transportId: t.id, dtlsParameters: dtlsParameters as never }).then(() => ok(), fail);
  });
  t.on('connectionstatechange', (state) => {
    if ((state === 'disconnected' || state === 'failed') && !isClosed()) void restartIce(t, opts, isClosed, restarting);
  });
  return t;
}

/**
 * Restarts ICE until the transport is connected again. One try is not enough
 * on a cut line: the request can time out after the server already changed its
 * ICE credentials (it arrives late, when the line is back), and the browser would
 * then keep knocking with the old ones for good. Tries run one at a time, so the
 * last credentials the server issued are the ones applied.
 */
async function restartIce(t: Transport, opts: Pick<ConferenceMediaOptions, 'request'>, isClosed: () => boolean, restarting: Set<string>): Promise<void> {
  if (restarting.has(t.id)) return;
  restarting.add(t.id);
  try {
    for (let attempt = 0; !isClosed() && !t.closed && ['disconnected', 'failed'].includes(t.connectionState); attempt++) {
      try {
        const { iceParameters } = await opts.request('transport:restart-ice', { transportId: t.id });
        await t.restartIce({ iceParameters: iceParameters as never });
      } catch {
        // Not connected, timed out, or the transport is gone: try again shortly (a gone one ends the loop).
      }
      await new Promise((r) => setTimeout(r, Math.min(4000, 1000 * (attempt + 1))));
    }
  } finally {
    restarting.delete(t.id);
  }
}

/** The server's transport options as mediasoup-client's create*Transport takes them. */
export function transportParams(o: TransportOptions) {
  return { id: o.id, iceParameters: o.iceParameters, iceCandidates: o.iceCandidates, dtlsParameters: o.dtlsParameters } as never;
}
