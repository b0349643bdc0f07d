/**
 * A bare media page for the browser e2e test and for support staff checking a
 * bridge PC: joins a meeting with a session token and follows the stage, the
 * open mics and (with ?grid=1) the bridge grid through ConferenceMedia.
 *
 *   /?token=…&meeting=1&publish=av&grid=1
 *   &nodes=http://a:3000,http://b:3000  (several nodes: reconnect to the next when one goes, as a proxy would)
 *
 * Built on its own (test/e2e/media.e2e.test.ts); not part of the app bundle.
 */
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION, type Ack, type BroadcastName, type MediaSnapshot } from '@diemcau/shared';
import { ConferenceMedia, type OnFn, type RequestFn } from '../conference-media.ts';
import { applyMediaEvent, emptyMedia, wantedStreams } from '../follow.ts';
import { cameraBlockMessage, currentCameraBlock } from '../secure-context.ts';

const q = new URLSearchParams(location.search);
const meetingId = Number(q.get('meeting'));
const publish = q.get('publish') ?? '';
const grid = q.get('grid') === '1';
const statusEl = document.getElementById('status')!;
const say = (s: string) => (statusEl.textContent = s);

const nodes = (q.get('nodes') ?? '').split(',').filter(Boolean);
const socket = io(nodes[0] ?? location.origin, { auth: { protocol: PROTOCOL_VERSION, token: q.get('token') ?? undefined }, transports: ['websocket'] });
let attempt = 0;
// Stands in for the reverse proxy: each reconnect attempt tries the next node.
socket.io.on('reconnect_attempt', () => {
  if (nodes.length > 1) (socket.io as unknown as { uri: string }).uri = nodes[++attempt % nodes.length]!;
});
const request: RequestFn = async (name, payload) => {
  const ack = (await socket.timeout(15_000).emitWithAck(name as string, payload)) as Ack<never>;
  if (!ack.ok) throw Object.assign(new Error(ack.error.message), { code: ack.error.code });
  return ack.data;
};
const on: OnFn = (event, fn) => {
  const h = fn as (p: unknown) => void;
  socket.on(event as string, h);
  return () => void socket.off(event as string, h);
};

const MEDIA_EVENTS: BroadcastName[] = ['stage:changed', 'speaker:active', 'link:changed', 'producer:added', 'producer:closed', 'producer:paused', 'media:muted', 'media:room-reset'];
let state: MediaSnapshot = emptyMedia();
let media: ConferenceMedia | null = null;
let gridPage = 0;
const elements = new Map<string, HTMLMediaElement>();

function render(): void {
  if (!media) return;
  const wanted = wantedStreams(state, { grid, gridPage });
  void media.sync(wanted).then(() => {
    for (const [id, el] of elements) {
      if (wanted.has(id)) continue;
      el.remove();
      elements.delete(id);
    }
    for (const id of wanted.keys()) {
      const track = media!.track(id);
      if (!track || elements.get(id)?.dataset.track === track.id) continue;
      const info = state.producers.find((p) => p.producerId === id);
      const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
      el.autoplay = true;
      el.dataset.producer = id;
      el.dataset.track = track.id;
      if (el instanceof HTMLVideoElement) {
        el.muted = true;
        el.playsInline = true;
        el.title = info?.label ?? '';
      }
      el.srcObject = new MediaStream([track]);
      elements.get(id)?.remove();
      elements.set(id, el);
      const parent = track.kind === 'audio' ? 'audio' : id === state.stage.videoProducerId ? 'stage' : 'grid';
      document.getElementById(parent)!.append(el);
      void el.play().catch(() => {});
    }
  });
}

async function startMedia(): Promise<void> {
  const block = publish ? currentCameraBlock() : null;
  if (block) {
    const el = document.getElementById('camera-block')!;
    el.textContent = cameraBlockMessage(block);
    el.hidden = false;
  }
  media = await ConferenceMedia.join({
    request,
    on,
    publish: block ? undefined : { video: publish.includes('v'), audio: publish.includes('a') },
    onRejoined: render,
  });
  say('Đã vào hội nghị truyền hình');
  render();
}

for (const ev of MEDIA_EVENTS) {
  on(ev, (payload) => {
    state = applyMediaEvent(state, { event: ev, payload } as never);
    render();
  });
}

socket.on('connect', async () => {
  try {
    const snap = (await request('meeting:join', { meetingId })) as { media?: MediaSnapshot };
    state = snap.media ?? emptyMedia();
    // Back after a disconnect (perhaps on another node): the server dropped our media, set it up again.
    if (media) return void media.reconnected().then(render);
    try {
      await startMedia();
    } catch (e) {
      if ((e as { code?: string }).code !== 'MEETING_NOT_LIVE') throw e;
      say('Chờ hội nghị bắt đầu');
      on('meeting:started', () => void startMedia().catch((err: Error) => say(`Lỗi: ${err.message}`)));
    }
  } catch (e) {
    say(`Lỗi: ${(e as Error).message}`);
  }
});

/** What the page exposes to the browser test (page.evaluate). */
export interface TestbedApi {
  request: RequestFn;
  ready(): boolean;
  state(): MediaSnapshot;
  own(): { video: string | null; audio: string | null };
  stats(): ReturnType<ConferenceMedia['stats']>;
  setGridPage(page: number): void;
}
declare global {
  interface Window {
    testbed: TestbedApi;
  }
}
window.testbed = {
  request,
  ready: () => !!media,
  state: () => state,
  own: () => media?.producerIds ?? { video: null, audio: null },
  stats: () => media?.stats() ?? Promise.resolve([]),
  setGridPage: (page) => {
    gridPage = page;
    render();
  },
};
