/**
 * Voting over HTTP: poll lists and details, result export (JSON and CSV),
 * the published ballot list, receipt checks (inclusion only) and independent verification.
 * Changes go through the socket commands (voting.socket.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  BallotList, ErrorResponse, IdParam, PollDetail, PollResult, PollVerifyReport, PollView, RECEIPT_PATTERN, ReceiptCheck,
} from '@diemcau/shared';
import { AppError, forbidden, notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Store } from '../../db/database.ts';
import { assertMember, canManage, getMeetingOr404 } from '../meetings/meetings.access.ts';
import { ballotList, resultCsv, verifyStoredPoll } from './voting.export.ts';
import * as repo from './voting.repo.ts';
import { storedTurnout } from './voting.snapshot.ts';
import type { PollRow } from './voting.schema.ts';
import { pollView } from './voting.views.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const tags = ['voting'];

const votingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app;
  const anyone = app.requireUser();

  /** The poll, if the user takes part in its meeting. Drafts are the secretariat's business only. */
  const access = async (s: Store, id: number, user: AuthUser): Promise<{ row: PollRow; manager: boolean }> => {
    const row = await repo.getPoll(s, id);
    if (!row) throw notFound('Poll');
    const meeting = await getMeetingOr404(s, row.meetingId);
    await assertMember(s, user, meeting);
    const manager = await canManage(s, user, meeting);
    if (row.status === 'draft' && !manager) throw notFound('Poll');
    return { row, manager };
  };
  const finished = (row: PollRow) => {
    if (!row.result) throw new AppError('CONFLICT', 409, 'The poll has no result yet');
    return row.result;
  };

  app.get('/meetings/:id/polls', { onRequest: anyone, schema: { tags, params: IdParam, response: { 200: Type.Array(PollView), ...errors } } }, (req) =>
    database.run(async (s) => {
      const meeting = await getMeetingOr404(s, req.params.id);
      await assertMember(s, req.user!, meeting);
      const manager = await canManage(s, req.user!, meeting);
      return (await repo.listPolls(s, meeting.id)).filter((p) => manager || p.status !== 'draft').map(pollView);
    }),
  );

  app.get('/polls/:id', { onRequest: anyone, schema: { tags, params: IdParam, response: { 200: PollDetail, ...errors } } }, (req) =>
    database.run(async (s) => {
      const { row } = await access(s, req.params.id, req.user!);
      const live = app.voting.live.get(row.id);
      const turnout = live ? app.voting.live.turnout(live) : await storedTurnout(s, row);
      return { poll: pollView(row), turnout, result: row.result ?? null };
    }),
  );

  app.get(
    '/polls/:id/result',
    { onRequest: anyone, schema: { tags, params: IdParam, response: { 200: Type.Object({ poll: PollView, result: PollResult }), ...errors } } },
    async (req) => {
      const { row } = await database.run((s) => access(s, req.params.id, req.user!));
      return { poll: pollView(row), result: finished(row) };
    },
  );

  app.get('/polls/:id/result.csv', { onRequest: anyone, schema: { tags, params: IdParam } }, async (req, reply) => {
    const { row } = await database.run((s) => access(s, req.params.id, req.user!));
    const csv = resultCsv(row, finished(row));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="bieu-quyet-${row.id}.csv"`)
      .send(csv);
  });

  app.get('/polls/:id/ballots', { onRequest: anyone, schema: { tags, params: IdParam, response: { 200: BallotList, ...errors } } }, (req) =>
    database.run(async (s) => {
      const { row, manager } = await access(s, req.params.id, req.user!);
      // Open ballots are visible to the secretariat as they come in; everything else only once published.
      const allowed = row.status === 'published' || (manager && row.spec.mode === 'open' && row.status !== 'draft');
      if (!allowed) throw forbidden('The ballot list is available once the result is published');
      return ballotList(s, row);
    }),
  );

  // POST with the receipt in the body, not in the URL: request logs carry URLs next to the
  // caller's address, and a receipt check must leave no trace tying a person to a receipt.
  // Nor is it audited, for the same reason.
  app.post(
    '/polls/:id/receipt-check',
    {
      preHandler: anyone,
      schema: {
        tags,
        params: IdParam,
        body: Type.Object({ receipt: Type.String({ pattern: RECEIPT_PATTERN }) }, { additionalProperties: false }),
        response: { 200: ReceiptCheck, ...errors },
      },
    },
    (req) =>
      database.run(async (s) => {
        const { row } = await access(s, req.params.id, req.user!);
        if (row.spec.mode !== 'secret') throw new AppError('VALIDATION_FAILED', 400, 'Open ballots have no receipts');
        if (row.status !== 'published') throw forbidden('Receipts can be checked once the result is published');
        if (!(await repo.hasReceipt(s, row.id, req.body.receipt))) throw notFound('Ballot with this receipt');
        // Inclusion only: how the ballot was marked is not told to anyone, so a receipt cannot prove a vote to a buyer.
        return { pollId: row.id, receipt: req.body.receipt, counted: true };
      }),
  );

  app.get(
    '/polls/:id/verify',
    {
      preHandler: anyone,
      schema: {
        tags,
        params: IdParam,
        querystring: Type.Object({ head: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })) }),
        response: { 200: PollVerifyReport, ...errors },
      },
    },
    (req) =>
      database.run(async (s) => {
        const { row } = await access(s, req.params.id, req.user!);
        return verifyStoredPoll(s, row, req.query.head ?? null);
      }),
  );
};

export default votingRoutes;
