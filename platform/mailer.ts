import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import type Mail from 'nodemailer/lib/mailer';
import type { Config } from './config';

/**
 * Sends e-mail over SMTP when SMTP_URL is set; otherwise writes each message as an .eml file into
 * `<data dir>/outbox/`, so development and demos work without a mail server and the messages can still be opened.
 *
 * Sending is at-least-once: a worker can crash after the server accepted a message and before the delivery log says
 * so, and the retry sends it again. The Message-ID is therefore derived from the caller's idempotency key, so both
 * copies carry the same id and mail systems (and people's clients) that de-duplicate on Message-ID show one.
 */
export interface OutgoingEmail {
  /** The idempotency key of the delivery; the same key always yields the same Message-ID. */
  key: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface SendResult {
  messageId: string;
  /** The server's final reply (e.g. `250 OK queued as …`), or where the outbox copy went. */
  response: string;
  /** Recipients the server refused while accepting the others: counted, never named (they are personal data). */
  rejectedCount: number;
}

export interface Mailer {
  send(message: OutgoingEmail): Promise<SendResult>;
  close(): void;
}

const MESSAGE_ID_DOMAIN = 'complyflow';

/** 128 bits of the key's hash: unique enough, and short enough that the header is never folded onto two lines. */
export function messageIdFor(key: string): string {
  return `<${keyHash(key).slice(0, 32)}@${MESSAGE_ID_DOMAIN}>`;
}

/** The outbox file a key is written to: readable prefix for people, hash suffix so distinct keys never collide. */
export function outboxFileName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return `${readable}-${keyHash(key).slice(0, 16)}.eml`;
}

export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>): Mailer {
  return config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : outboxMailer(path.resolve(config.dataDir, 'outbox'), config.mailFrom);
}

function smtpMailer(smtpUrl: string, from: string): Mailer {
  // An SMTPTransport instance rather than createTransport(url): the latter drops every option beside the URL.
  // Timeouts stay well inside the activity's start-to-close timeout; options in the URL's query string win.
  const transport = nodemailer.createTransport(
    new SMTPTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000, disableFileAccess: true, disableUrlAccess: true }),
  );
  return {
    async send(message) {
      const info = await transport.sendMail(mailOptions(message, from));
      return { messageId: info.messageId, response: info.response, rejectedCount: info.rejected.length };
    },
    close: () => transport.close(),
  };
}

function outboxMailer(outbox: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', disableFileAccess: true, disableUrlAccess: true });
  return {
    async send(message) {
      const info = await transport.sendMail(mailOptions(message, from));
      const file = path.join(outbox, outboxFileName(message.key));
      await fs.mkdir(outbox, { recursive: true });
      // Write then rename, so someone watching the outbox never opens half a message, and a retry simply replaces it.
      const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.writeFile(partial, info.message as Buffer);
      await fs.rename(partial, file);
      return { messageId: info.messageId, response: `written to outbox/${path.basename(file)}`, rejectedCount: 0 };
    },
    close: () => transport.close(),
  };
}

function mailOptions(message: OutgoingEmail, from: string): Mail.Options {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html !== undefined && { html: message.html }),
    messageId: messageIdFor(message.key),
    // RFC 3834: tells auto-responders (vacation notices) not to answer a machine.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
