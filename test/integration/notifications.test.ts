import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { SMTPServer } from 'smtp-server';
import { notificationActivities, type NotificationActivities } from '../../activities/notifications';
import { verifyWebhookSignature } from '../../domain/webhook-signature';
import type { Config } from '../../platform/config';
import { FieldCrypto } from '../../platform/field-crypto';
import { loadKeyring } from '../../platform/keyring';
import { createLogger } from '../../platform/logger';
import { messageIdFor, outboxFileName } from '../../platform/mailer';
import { DeliveryStore } from '../../store/deliveries';
import { WebhookEndpointStore } from '../../store/webhook-endpoints';
import { connectDatabase, type Database } from '../../platform/mongo';
import { testConfig } from '../harness/stack';

/**
 * The notification activities against a real SMTP server, a real HTTP receiver and a real FerretDB, called as plain
 * functions. (Exactly-once across worker crashes, through Temporal, is covered by crash.test.ts.)
 */

interface ReceivedMail {
  to: string[];
  raw: string;
}

/** Fails the next DATA with this SMTP code when set; refuses recipients whose local part is `nobody`. */
const smtpFaults: { nextData?: number } = {};

function startSmtpServer(received: ReceivedMail[]): Promise<{ server: SMTPServer; url: string }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) return callback(Object.assign(new Error(`<${address.address}>: no such user here`), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = smtpFaults.nextData;
        if (code !== undefined) {
          smtpFaults.nextData = undefined;
          return callback(Object.assign(new Error('try again later'), { responseCode: code }));
        }
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}` }));
  });
}

interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers by path: /ok 200, /flaky 500 then 200, /bad 400, /busy 429 with Retry-After, /slow after a second. */
function startHttpReceiver(received: ReceivedRequest[]): Promise<{ server: http.Server; url: string }> {
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const urlPath = req.url ?? '';
      received.push({ path: urlPath, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const count = (seen.get(urlPath) ?? 0) + 1;
      seen.set(urlPath, count);
      if (urlPath.startsWith('/flaky')) res.statusCode = count === 1 ? 500 : 200;
      else if (urlPath.startsWith('/bad')) res.statusCode = 400;
      else if (urlPath.startsWith('/slow')) {
        setTimeout(() => res.end('late'), 1000);
        return;
      } else if (urlPath.startsWith('/busy')) {
        res.statusCode = 429;
        res.setHeader('Retry-After', '7');
      } else res.statusCode = 200;
      res.end('ok');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected the call to fail');
}

/** A header's value, unfolded (RFC 5322 lets long headers continue on indented lines). */
function header(raw: string, name: string): string | undefined {
  const unfolded = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(unfolded)?.[1]?.trim();
}

describe('notification activities', () => {
  const mails: ReceivedMail[] = [];
  const requests: ReceivedRequest[] = [];
  let smtp: { server: SMTPServer; url: string };
  let receiver: { server: http.Server; url: string };
  let config: Config;
  let database: Database;
  let crypto: FieldCrypto;
  let activities: NotificationActivities;
  let endpoints: WebhookEndpointStore;
  let deliveries: DeliveryStore;
  let dataDir: string;
  const logger = createLogger({ level: 'silent', name: 'notifications-test' });

  beforeAll(async () => {
    smtp = await startSmtpServer(mails);
    receiver = await startHttpReceiver(requests);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-notifications-'));
    config = testConfig({ smtpUrl: smtp.url, publicUrl: 'https://comply.example.com', webhookTimeoutMs: 2000, dataDir });
    database = await connectDatabase(config);
    crypto = new FieldCrypto(loadKeyring(config));
    endpoints = new WebhookEndpointStore(database.db, crypto);
    deliveries = new DeliveryStore(database.db, crypto);
    await endpoints.ensureIndexes();
    await deliveries.ensureIndexes();
    activities = notificationActivities({ config, db: database.db, crypto, logger });
  });

  afterAll(async () => {
    await database?.db.dropDatabase();
    await database?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (receiver ? receiver.server.close(() => resolve()) : resolve()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const approval = { title: 'Onboard payroll vendor', approvalId: 'apr_mail1', link: '/approvals/apr_mail1', dueAt: '2030-01-02T03:04:05Z' };

  describe('e-mail', () => {
    it('delivers once per key, with a Message-ID derived from the key', async () => {
      const key = 'approval-apr_mail1:requested';
      const to = ['Owner@Example.org', 'second@example.org'];
      const request = { key, to, template: 'approval.requested' as const, data: approval, resource: { type: 'approval', id: 'apr_mail1' } };

      await expect(activities.sendEmail(request)).resolves.toEqual({ deliveryId: key, status: 'delivered' });
      await expect(activities.sendEmail(request)).resolves.toEqual({ deliveryId: key, status: 'already-delivered' });

      const arrived = mails.filter((m) => m.raw.includes('apr_mail1'));
      expect(arrived).toHaveLength(1);
      expect(arrived[0].to.map((a) => a.toLowerCase())).toEqual(to.map((a) => a.toLowerCase()));
      expect(header(arrived[0].raw, 'Message-ID')).toBe(messageIdFor(key));
      expect(messageIdFor(key)).toMatch(/^<[0-9a-f]{32}@complyflow>$/);
      expect(header(arrived[0].raw, 'Subject')).toBe('Approval requested: Onboard payroll vendor');
      expect(header(arrived[0].raw, 'Auto-Submitted')).toBe('auto-generated');
      expect(arrived[0].raw).toContain('https://comply.example.com/approvals/apr_mail1');
    });

    it('logs the delivery with its attempts and without any plaintext address', async () => {
      const key = 'approval-apr_mail1:requested';
      const delivery = await deliveries.get(key);
      expect(delivery).toMatchObject({ id: key, channel: 'email', kind: 'approval.requested', status: 'delivered', recipientCount: 2, resource: { type: 'approval', id: 'apr_mail1' } });
      expect(delivery?.deliveredAt).toBeInstanceOf(Date);
      expect(delivery?.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered', responseCode: 250 })]);

      const raw = await database.db.collection('deliveries').findOne({ _id: key as never });
      const json = JSON.stringify(raw).toLowerCase();
      expect(json).not.toContain('owner@example.org');
      expect(json).not.toContain('second@example.org');
      expect(json).not.toContain('example.org');
      expect(raw?.recipientsEnc).toMatch(/^enc:v1:/);
      expect(raw?.recipientsIndex).toHaveLength(2);

      // Found by address through the blind index, whatever the case; decrypted only on request.
      expect((await deliveries.list({ recipient: 'OWNER@example.org' })).map((d) => d.id)).toEqual([key]);
      expect(await deliveries.list({ recipient: 'stranger@example.org' })).toEqual([]);
      expect(await deliveries.recipientsOf(key)).toEqual(['Owner@Example.org', 'second@example.org']);
      expect((await deliveries.list({ channel: 'email', status: 'delivered', resourceId: 'apr_mail1' })).map((d) => d.id)).toEqual([key]);
    });

    it('retries a temporary SMTP failure and logs both attempts', async () => {
      const key = 'approval-apr_mail2:reminder-1';
      const request = { key, to: ['owner@example.org'], template: 'approval.reminder' as const, data: { ...approval, approvalId: 'apr_mail2', reminder: 1 } };
      smtpFaults.nextData = 451;

      const failure = await failureOf(activities.sendEmail(request));
      expect(failure.nonRetryable).toBe(false);
      expect(failure.type).toBe('EmailFailed');
      expect((await deliveries.get(key))?.status).toBe('failed');

      await expect(activities.sendEmail(request)).resolves.toEqual({ deliveryId: key, status: 'delivered' });
      expect(mails.filter((m) => m.raw.includes('apr_mail2'))).toHaveLength(1);
      const delivery = await deliveries.get(key);
      expect(delivery?.status).toBe('delivered');
      expect(delivery?.attempts.map((a) => [a.attempt, a.outcome, a.responseCode])).toEqual([
        [1, 'failed', 451],
        [2, 'delivered', 250],
      ]);
    });

    it('does not retry a permanent rejection, and keeps the address out of the error', async () => {
      const key = 'approval-apr_mail3:approved';
      const request = { key, to: ['nobody@example.org'], template: 'approval.decided' as const, data: { ...approval, approvalId: 'apr_mail3', outcome: 'approved' as const, reason: 'ok' } };

      const failure = await failureOf(activities.sendEmail(request));
      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe('EmailRejected');
      expect(failure.message).not.toContain('nobody@example.org');
      const delivery = await deliveries.get(key);
      expect(delivery?.status).toBe('failed');
      expect(delivery?.attempts).toEqual([expect.objectContaining({ outcome: 'rejected', responseCode: 550 })]);
      expect(delivery?.attempts[0].error).toBeDefined();
      expect(delivery?.attempts[0].error).not.toContain('nobody@');
    });

    it('refuses an invalid recipient without contacting the server', async () => {
      const before = mails.length;
      const failure = await failureOf(activities.sendEmail({ key: 'bad-recipient', to: ['not an address'], template: 'approval.requested', data: approval }));
      expect(failure.nonRetryable).toBe(true);
      expect(mails).toHaveLength(before);
      expect((await deliveries.get('bad-recipient'))?.attempts[0]).toMatchObject({ outcome: 'rejected' });
    });

    it('refuses a key reused for a different message', async () => {
      const failure = await failureOf(
        activities.sendEmail({ key: 'approval-apr_mail1:requested', to: ['owner@example.org'], template: 'approval.decided', data: { ...approval, outcome: 'rejected' } }),
      );
      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe('IdempotencyKeyConflict');
    });

    it('writes an .eml file into the outbox when no SMTP server is configured', async () => {
      const outboxConfig: Config = { ...config, smtpUrl: undefined };
      const outboxActivities = notificationActivities({ config: outboxConfig, db: database.db, crypto, logger });
      const key = 'approval-apr_outbox:requested';
      const request = { key, to: ['owner@example.org'], template: 'approval.requested' as const, data: { ...approval, approvalId: 'apr_outbox', link: '/approvals/apr_outbox' } };
      const before = mails.length;

      await expect(outboxActivities.sendEmail(request)).resolves.toEqual({ deliveryId: key, status: 'delivered' });
      await expect(outboxActivities.sendEmail(request)).resolves.toEqual({ deliveryId: key, status: 'already-delivered' });

      const outbox = path.join(dataDir, 'outbox');
      expect(fs.readdirSync(outbox)).toEqual([outboxFileName(key)]);
      const eml = fs.readFileSync(path.join(outbox, outboxFileName(key)), 'utf8');
      expect(header(eml, 'Message-ID')).toBe(messageIdFor(key));
      expect(header(eml, 'Subject')).toBe('Approval requested: Onboard payroll vendor');
      expect(eml).toContain('/approvals/apr_outbox');
      expect(mails).toHaveLength(before);
      expect((await deliveries.get(key))?.attempts).toEqual([expect.objectContaining({ outcome: 'delivered' })]);
    });
  });

  describe('webhooks', () => {
    const event = (id: string, type = 'approval.requested') => ({ id, type, occurredAt: '2030-01-01T00:00:00.000Z', data: { approvalId: id, resource: { type: 'vendor', id: 'ven_1' } } });
    const arrivals = (eventId: string) => requests.filter((r) => r.body.includes(`"id":"${eventId}"`));

    it('keeps the signing secret encrypted and returns it only at creation', async () => {
      const { endpoint, secret } = await endpoints.create({ url: `${receiver.url}/ok`, events: ['approval.requested'], description: 'ERP', createdBy: 'prn_admin' });
      expect(endpoint.id).toMatch(/^whe_/);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const raw = await database.db.collection('webhook_endpoints').findOne({ _id: endpoint.id as never });
      expect(JSON.stringify(raw)).not.toContain(secret);
      expect(JSON.stringify(await endpoints.get(endpoint.id))).not.toContain('secretEnc');
      expect(await endpoints.secretOf(endpoint.id)).toBe(secret);
      await expect(endpoints.create({ url: 'ftp://example.org', events: ['*'], createdBy: 'x' })).rejects.toThrow(/http/);
      await expect(endpoints.create({ url: 'https://u:p@example.org', events: ['*'], createdBy: 'x' })).rejects.toThrow(/credentials/);
      await expect(endpoints.create({ url: 'https://example.org', events: [], createdBy: 'x' })).rejects.toThrow(/at least one/);
    });

    it('targets only active endpoints subscribed to the type or to everything', async () => {
      const exact = (await endpoints.create({ url: `${receiver.url}/ok`, events: ['approval.approved'], createdBy: 'prn_admin' })).endpoint;
      const all = (await endpoints.create({ url: `${receiver.url}/ok`, events: ['*'], createdBy: 'prn_admin' })).endpoint;
      const other = (await endpoints.create({ url: `${receiver.url}/ok`, events: ['consent.renewed'], createdBy: 'prn_admin' })).endpoint;

      const approved = await activities.webhookTargets('approval.approved');
      expect(approved).toEqual(expect.arrayContaining([exact.id, all.id]));
      expect(approved).not.toContain(other.id);
      expect(await activities.webhookTargets('approval.rejected')).not.toContain(exact.id);

      await endpoints.deactivate(all.id, 'prn_admin');
      await endpoints.deactivate(other.id, 'prn_admin');
      expect(await activities.webhookTargets('approval.approved')).not.toContain(all.id);
      expect((await endpoints.get(all.id))?.active).toBe(false);
    });

    it('delivers a signed event once per key', async () => {
      const { endpoint, secret } = await endpoints.create({ url: `${receiver.url}/ok`, events: ['approval.requested'], createdBy: 'prn_admin' });
      const key = `approval-apr_hook1:requested:${endpoint.id}`;
      const request = { key, endpointId: endpoint.id, event: event('apr_hook1') };

      await expect(activities.deliverWebhook(request)).resolves.toEqual({ deliveryId: key, status: 'delivered', responseCode: 200 });
      await expect(activities.deliverWebhook(request)).resolves.toEqual({ deliveryId: key, status: 'already-delivered' });

      const [arrival, ...more] = arrivals('apr_hook1');
      expect(more).toHaveLength(0);
      expect(arrival.headers['content-type']).toBe('application/json');
      expect(arrival.headers['complyflow-event']).toBe('approval.requested');
      expect(arrival.headers['complyflow-delivery']).toBe(key);
      expect(arrival.headers['idempotency-key']).toBe(key);
      const signature = arrival.headers['complyflow-signature'] as string;
      expect(verifyWebhookSignature(secret, signature, arrival.body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifyWebhookSignature(secret, signature, arrival.body.replace('ven_1', 'ven_2'), Math.floor(Date.now() / 1000))).toBe(false);
      expect(JSON.parse(arrival.body)).toEqual(event('apr_hook1'));

      const delivery = await deliveries.get(key);
      expect(delivery).toMatchObject({ channel: 'webhook', kind: 'approval.requested', endpointId: endpoint.id, eventId: 'apr_hook1', status: 'delivered' });
      expect(delivery?.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered', responseCode: 200 })]);
    });

    it('retries after a 5xx and logs both attempts', async () => {
      const { endpoint, secret } = await endpoints.create({ url: `${receiver.url}/flaky`, events: ['*'], createdBy: 'prn_admin' });
      const key = `approval-apr_hook2:requested:${endpoint.id}`;
      const request = { key, endpointId: endpoint.id, event: event('apr_hook2') };

      const failure = await failureOf(activities.deliverWebhook(request));
      expect(failure.nonRetryable).toBe(false);
      expect(failure.type).toBe('WebhookFailed');
      await expect(activities.deliverWebhook(request)).resolves.toMatchObject({ status: 'delivered', responseCode: 200 });

      const both = arrivals('apr_hook2');
      expect(both).toHaveLength(2);
      expect(both.map((r) => r.headers['complyflow-delivery'])).toEqual([key, key]);
      expect(both.every((r) => verifyWebhookSignature(secret, r.headers['complyflow-signature'] as string, r.body, Math.floor(Date.now() / 1000)))).toBe(true);
      const delivery = await deliveries.get(key);
      expect(delivery?.status).toBe('delivered');
      expect(delivery?.attempts.map((a) => [a.attempt, a.outcome, a.responseCode])).toEqual([
        [1, 'failed', 500],
        [2, 'delivered', 200],
      ]);
    });

    it('does not retry a 4xx', async () => {
      const { endpoint } = await endpoints.create({ url: `${receiver.url}/bad`, events: ['*'], createdBy: 'prn_admin' });
      const key = `approval-apr_hook3:requested:${endpoint.id}`;
      const failure = await failureOf(activities.deliverWebhook({ key, endpointId: endpoint.id, event: event('apr_hook3') }));
      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe('WebhookRejected');
      expect(await deliveries.get(key)).toMatchObject({ status: 'failed', attempts: [expect.objectContaining({ outcome: 'rejected', responseCode: 400 })] });
    });

    it('retries a 429 after the delay the receiver asked for', async () => {
      const { endpoint } = await endpoints.create({ url: `${receiver.url}/busy`, events: ['*'], createdBy: 'prn_admin' });
      const failure = await failureOf(activities.deliverWebhook({ key: `busy:${endpoint.id}`, endpointId: endpoint.id, event: event('apr_hook4') }));
      expect(failure.nonRetryable).toBe(false);
      expect(failure.nextRetryDelay).toBe(7000);
    });

    it('retries when the receiver cannot be reached', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const { endpoint } = await endpoints.create({ url: `http://127.0.0.1:${port}/gone`, events: ['*'], createdBy: 'prn_admin' });
      const key = `unreachable:${endpoint.id}`;

      const failure = await failureOf(activities.deliverWebhook({ key, endpointId: endpoint.id, event: event('apr_hook5') }));
      expect(failure.nonRetryable).toBe(false);
      expect(await deliveries.get(key)).toMatchObject({ status: 'failed', attempts: [expect.objectContaining({ outcome: 'failed', error: 'fetch failed (ECONNREFUSED)' })] });
    });

    it('gives up on an attempt after the configured timeout and retries', async () => {
      const impatient = notificationActivities({ config: { ...config, webhookTimeoutMs: 200 }, db: database.db, crypto, logger });
      const { endpoint } = await endpoints.create({ url: `${receiver.url}/slow`, events: ['*'], createdBy: 'prn_admin' });
      const key = `slow:${endpoint.id}`;

      const failure = await failureOf(impatient.deliverWebhook({ key, endpointId: endpoint.id, event: event('apr_hook7') }));
      expect(failure.nonRetryable).toBe(false);
      expect(await deliveries.get(key)).toMatchObject({ status: 'failed', attempts: [expect.objectContaining({ outcome: 'failed', error: 'no response within 200 ms' })] });
    });

    it('skips a deactivated endpoint', async () => {
      const { endpoint } = await endpoints.create({ url: `${receiver.url}/ok`, events: ['*'], createdBy: 'prn_admin' });
      await endpoints.deactivate(endpoint.id, 'prn_admin');
      const key = `approval-apr_hook6:requested:${endpoint.id}`;

      await expect(activities.deliverWebhook({ key, endpointId: endpoint.id, event: event('apr_hook6') })).resolves.toEqual({ deliveryId: key, status: 'endpoint-inactive' });
      expect(arrivals('apr_hook6')).toHaveLength(0);
      expect(await deliveries.get(key)).toMatchObject({ status: 'skipped', skipReason: 'endpoint deactivated', attempts: [] });
      expect(await activities.webhookTargets('approval.requested')).not.toContain(endpoint.id);
    });

    it('lists webhook deliveries by endpoint and status, page by page', async () => {
      const failed = await deliveries.list({ channel: 'webhook', status: 'failed' });
      expect(failed.length).toBeGreaterThanOrEqual(3);
      expect(failed.every((d) => d.channel === 'webhook' && d.status === 'failed')).toBe(true);
      const first = await deliveries.list({ channel: 'webhook', limit: 2 });
      const second = await deliveries.list({ channel: 'webhook', limit: 2, afterId: first[1].id });
      expect(first).toHaveLength(2);
      expect(second[0].id > first[1].id).toBe(true);
      expect(await deliveries.list({ channel: 'webhook', from: new Date(Date.now() + 60_000) })).toEqual([]);
    });
  });
});
