/**
 * Example client of the diemcau realtime protocol, written only from the
 * published documentation (README "Writing a client", /docs, /docs/asyncapi):
 * it uses plain `fetch` and `socket.io-client`, not the project's own code.
 *
 * It plays one short session with three demo accounts: the secretariat starts
 * the meeting and opens a roll-call; a bridge operator answers it; a delegate
 * checks in, asks for the floor and votes in an approval poll; the secretariat
 * closes the poll. Every step prints one line.
 *
 *   pnpm example:client -- --url http://localhost:3000 [--meeting 1]
 *     [--secretariat vanphong:VanPhong@2026] [--operator cau.tinh1:DiemCau@2026] [--delegate daibieu01:DaiBieu@2026]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';

const PROTOCOL = 1; // info.x-protocol-version of /docs/asyncapi.json

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:3000' },
    meeting: { type: 'string' },
    secretariat: { type: 'string', default: 'vanphong:VanPhong@2026' },
    operator: { type: 'string', default: 'cau.tinh1:DiemCau@2026' },
    delegate: { type: 'string', default: 'daibieu01:DaiBieu@2026' },
  },
});
const base = args.url.replace(/\/+$/, '');

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

/** POST /api/auth/login → the session token (Bearer for HTTP, `auth.token` for the socket). */
async function login(account: string): Promise<string> {
  const [username, password] = account.split(/:(.*)/s) as [string, string];
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Connects with the handshake `auth: { protocol, token }`; refusals come as connect_error with err.data.code. */
function connect(token: string): Promise<Socket> {
  const socket = io(base, { auth: { protocol: PROTOCOL, token }, transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: { code: string } }) => reject(new Error(`connect refused: ${err.data?.code ?? err.message}`)));
  });
}

/** Sends a command and unwraps its ack `{ ok, data | error }`. */
async function command<T>(socket: Socket, name: string, payload: unknown): Promise<T> {
  const ack = (await socket.timeout(30_000).emitWithAck(name, payload)) as Ack<T>;
  if (!ack.ok) throw new Error(`${name}: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** Resolves with the next broadcast `name` whose payload passes `test`. */
function next<T>(socket: Socket, name: string, test: (p: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within 30 s`)), 30_000);
    const on = (p: T) => {
      if (!test(p)) return;
      clearTimeout(timer);
      socket.off(name, on);
      resolve(p);
    };
    socket.on(name, on);
  });
}

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const [chairToken, operatorToken, delegateToken] = await Promise.all([login(args.secretariat), login(args.operator), login(args.delegate)]);
  log('logged in: secretariat, bridge operator, delegate');

  // The meeting: --meeting, else the delegate's first meeting that is scheduled or live (GET /api/meetings).
  const meetings = (await (await fetch(`${base}/api/meetings`, { headers: { authorization: `Bearer ${delegateToken}` } })).json()) as { id: number; title: string; status: string }[];
  const meeting = args.meeting ? meetings.find((m) => m.id === Number(args.meeting)) : meetings.find((m) => m.status === 'live' || m.status === 'scheduled');
  if (!meeting) throw new Error('no meeting to join');
  const meetingId = meeting.id;

  const [chair, operator, delegate] = await Promise.all([connect(chairToken), connect(operatorToken), connect(delegateToken)]);
  try {
    await Promise.all([chair, operator, delegate].map((s) => command(s, 'meeting:join', { meetingId })));
    log(`joined meeting ${meetingId}: ${meeting.title}`);
    if (meeting.status !== 'live') {
      await command(chair, 'meeting:start', { meetingId });
      log('meeting started');
    }

    // Roll-call: the secretariat opens it, the bridge operator confirms the head count of their bridge.
    const started = next<{ rollCall: { id: number } }>(operator, 'rollcall:started');
    await command(chair, 'rollcall:start', { meetingId });
    const { rollCall } = await started;
    const confirmed = await command<{ confirmed: number; expected: number }>(operator, 'rollcall:confirm', { meetingId, delegatesPresent: 12 });
    log(`roll-call ${rollCall.id} answered: ${confirmed.confirmed}/${confirmed.expected} bridges confirmed`);

    // The delegate checks in and asks for the floor; everyone sees the queue change.
    await command(delegate, 'presence:set-delegate', { meetingId, status: 'present_online' });
    const queued = next<{ floor: { queue: { id: number }[] } }>(chair, 'floor:queue-changed', (p) => p.floor.queue.length > 0);
    const request = await command<{ id: number; topic: string }>(delegate, 'floor:request', { meetingId, topic: 'Ý kiến về dự thảo Nghị quyết' });
    await queued;
    log(`floor requested: request ${request.id} "${request.topic}"`);

    // Voting: an open approval poll; the delegate votes "yes" with a device-made ballot id.
    const poll = await command<{ id: number }>(chair, 'poll:create', { agendaItemId: null, title: 'Thông qua dự thảo Nghị quyết', kind: 'approval', mode: 'open', majority: 'simple' });
    const opened = next<{ poll: { id: number } }>(delegate, 'poll:opened', (p) => p.poll.id === poll.id);
    await command(chair, 'poll:open', { pollId: poll.id });
    await opened;
    const vote = await command<{ pollId: number; changed: boolean }>(delegate, 'vote:cast', { pollId: poll.id, choices: ['yes'], ballotId: randomUUID() });
    log(`vote cast in poll ${vote.pollId}: yes`);
    const closed = await command<{ result: { voted: number; outcome: string } }>(chair, 'poll:close', { pollId: poll.id });
    log(`poll closed: ${closed.result.voted} vote(s), outcome ${closed.result.outcome}`);
  } finally {
    for (const s of [chair, operator, delegate]) s.close();
  }
  log('done');
}

main().catch((err: unknown) => {
  console.error(`example client failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
