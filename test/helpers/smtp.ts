/** A real SMTP server in-process (smtp-server) that keeps every message it accepts, parsed (mailparser). */
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { until } from '../../scripts/lib/until.ts';

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  rcpt: string[];
  from: string;
  subject: string;
  text: string;
}

export interface TestSmtp {
  url: string;
  mails: ReceivedMail[];
  /** Resolves once at least `n` messages arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream)
        .then((m) => {
          mails.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), from: m.from?.text ?? '', subject: m.subject ?? '', text: m.text ?? '' });
          done();
        })
        .catch(done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(n, timeoutMs = 30_000) {
      await until(() => mails.length, (got) => got >= n, `${n} mails`, timeoutMs, 50);
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
