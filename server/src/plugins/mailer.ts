/**
 * Outgoing e-mail through the organisation's internal mail server (SMTP_URL),
 * with nodemailer. Without SMTP_URL nothing is mailed and `send` answers false:
 * the in-app notices are the channel that always works.
 */
import fp from 'fastify-plugin';
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}
export interface Mailer {
  readonly enabled: boolean;
  /** True once the server accepted the message; false when mail is off or the server refused it (logged). */
  send(msg: MailMessage): Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyInstance {
    mailer: Mailer;
  }
}

export default fp<{ smtpUrl: string | null; from: string }>(
  async (app, { smtpUrl, from }) => {
    // pool: reminders go out in bursts (hundreds of operators); one connection reused, a few at a time.
    const transport: Transporter | null = smtpUrl ? nodemailer.createTransport(`${smtpUrl}${smtpUrl.includes('?') ? '&' : '?'}pool=true&maxConnections=3`) : null;
    app.decorate('mailer', {
      enabled: Boolean(transport),
      async send(msg: MailMessage) {
        if (!transport) return false;
        try {
          await transport.sendMail({ from, to: msg.to, subject: msg.subject, text: msg.text });
          return true;
        } catch (err) {
          // The recipient address is personal data; the error code is what an operator needs.
          app.log.warn({ code: (err as { code?: string }).code, responseCode: (err as { responseCode?: number }).responseCode }, 'mail not sent');
          return false;
        }
      },
    } satisfies Mailer);
    app.addHook('onClose', async () => transport?.close());
  },
  { name: 'mailer' },
);
