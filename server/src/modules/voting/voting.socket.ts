/**
 * Voting over Socket.IO: lifecycle commands for the secretariat, `vote:cast`
 * for delegates, and the poll part of the join snapshot. Payloads arrive
 * already validated against the shared contract (plugins/realtime.ts).
 */
import fp from 'fastify-plugin';
import { AppError } from '../../lib/app-error.ts';
import type { CommandContext } from '../../plugins/realtime.ts';
import type { Membership } from '../meetings/meetings.access.ts';
import { audienceOf } from '../../plugins/realtime-audience.ts';
import { attendanceFrom, type AttendanceSource } from './voting.presence.ts';
import { VotingService } from './voting.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    voting: VotingService;
  }
}

export interface VotingPluginOptions {
  /** APP_SECRET, which wraps the ballot keys of secret polls. */
  secret: string;
  /** Tests may inject a clock or presence. */
  now?: () => number;
  attendance?: AttendanceSource;
  pushIntervalMs?: number;
}

const isManager = (m: Membership | null) => audienceOf(m).kind === 'manager';

/** The joined meeting, if the caller runs it (secretariat of the chairing province, or admin). */
function managedMeeting(ctx: CommandContext): number {
  const { meetingId, membership } = ctx.requireMeeting();
  if (!isManager(membership)) throw new AppError('FORBIDDEN', 403, 'Only the secretariat runs polls');
  return meetingId;
}

export default fp<VotingPluginOptions>(
  async (app, opts) => {
    const service = new VotingService(app.database, app.realtime, app.log.child({ module: 'voting' }), {
      owns: (meetingId) => app.lease.owns(meetingId),
      holds: (meetingId) => app.lease.holds(meetingId),
      // Read lazily: the conference plugin may register after this one.
      attendance: opts.attendance ?? attendanceFrom((meetingId) => app.conference.state(meetingId)),
      secret: opts.secret,
      ...(opts.now && { now: opts.now }),
      ...(opts.pushIntervalMs !== undefined && { pushIntervalMs: opts.pushIntervalMs }),
    });
    app.decorate('voting', service);
    const rt = app.realtime;
    // On a cluster these run on the node that holds the meeting's lease, which mirrors its open poll.
    const owned = { perMeeting: true };

    rt.handle('poll:create', (ctx, p) => service.create(ctx.user.id, managedMeeting(ctx), p), owned);
    rt.handle('poll:open', (ctx, p) => service.open(ctx.user.id, managedMeeting(ctx), p.pollId), owned);
    rt.handle('poll:close', (ctx, p) => service.close(ctx.user.id, managedMeeting(ctx), p.pollId), owned);
    rt.handle('poll:cancel', (ctx, p) => service.cancel(ctx.user.id, managedMeeting(ctx), p.pollId, p.reason ?? ''), owned);
    rt.handle('poll:publish', (ctx, p) => service.publish(ctx.user.id, managedMeeting(ctx), p.pollId), owned);
    // A bridge operator counts their own hall only: the bridge point comes from their membership, never the payload.
    rt.handle('poll:hall-count', (ctx, p) => {
      const { meetingId, membership } = ctx.requireMeeting();
      if (membership?.kind !== 'bridge') throw new AppError('FORBIDDEN', 403, "Only a bridge point's operator enters its hall count");
      return service.hallCount(ctx.user.id, meetingId, membership.bridgePointId, p);
    }, owned);
    // Always the caller's own ballot: there is no way to name another voter. A ballot need not wait
    // for a turnout push to 2,000 phones to finish writing (realtime-queue.ts): neither it nor its ack
    // depends on that push, which the next one supersedes anyway.
    rt.handle('vote:cast', async (ctx, p) => (await app.auth.assertMayVote(ctx.user), service.cast(ctx.user.id, ctx.requireMeeting().meetingId, p.pollId, p.choices, p.ballotId)), { ...owned, overtaking: true });

    // Ending the meeting would strand the open poll's ballots; the chair closes it first.
    if (app.hasDecorator('conference')) {
      app.conference.guardEnd((meetingId) => {
        if (service.live.ofMeeting(meetingId)) throw new AppError('POLL_OPEN', 409, 'A poll is still open: close it before ending the meeting');
      });
    }

    rt.snapshotPart('poll', (meetingId, user, membership) => service.snapshot(meetingId, user.id, audienceOf(membership)));

    // Re-arm countdowns and close the overdue ones once everything is registered.
    app.lease.onGained((meetingId) => void service.adopt(meetingId).catch((err: unknown) => app.log.error({ err, meetingId }, 'taking over the open poll failed')));
    app.lease.onLost((meetingId) => service.drop(meetingId));
    app.lease.needsOwner(() => service.openMeetings());
    app.addHook('onReady', async () => service.restore());
    app.addHook('onClose', async () => service.stop());
  },
  { name: 'voting', dependencies: ['db', 'realtime'] },
);
