import { Writable } from 'node:stream';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../platform/payload-codec';
import { startTestApi, type TestApi } from '../harness/app';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';

/**
 * Acceptance: after a realistic session through the API (a person principal with a name and e-mail, an API key, a
 * webhook endpoint, an approval that e-mails that person, failed requests), the raw database documents, the Temporal
 * workflow history and the captured logs hold no plaintext of the encrypted fields, no credentials and no PII.
 */

const NAME = 'Zebulon Quartermaine-Vexley';
const EMAIL = 'Zebulon.Quartermaine@Vexley-Example.org';
const CLIENT_ADDRESS = '127.0.0.1';

/** A stream that keeps every line the logger writes. */
function logCapture(): { stream: Writable; text: () => string; records: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    records: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Every string value anywhere inside a value (object keys included). */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      out.push(key);
      stringsIn(child, out);
    }
  }
  return out;
}

/**
 * A text rendering of a Temporal history in which every byte array (payload data and metadata) appears decoded as
 * latin1, so plaintext inside a payload is visible. Walks the protobuf objects directly: their toJSON would turn the
 * bytes into base64, which hides plaintext from a substring search.
 */
function renderWithBytes(value: unknown, ancestors = new Set<unknown>()): string {
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('latin1'));
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (ancestors.has(value)) return '"<cycle>"';
  ancestors.add(value);
  const text = Array.isArray(value)
    ? `[${value.map((item) => renderWithBytes(item, ancestors)).join(',')}]`
    : `{${Object.entries(value)
        .map(([key, child]) => `${JSON.stringify(key)}:${renderWithBytes(child, ancestors)}`)
        .join(',')}}`;
  ancestors.delete(value);
  return text;
}

/** The forms a value could take in text: as given, lower case, URL-encoded. */
function variants(value: string): string[] {
  return [...new Set([value, value.toLowerCase(), value.toUpperCase(), encodeURIComponent(value), encodeURIComponent(value.toLowerCase())])];
}

function leaksIn(haystack: string, needles: Record<string, string>): string[] {
  const lower = haystack.toLowerCase();
  return Object.entries(needles).flatMap(([what, needle]) => variants(needle).filter((v) => lower.includes(v.toLowerCase())).map((v) => `${what} (${v})`));
}

describe('no plaintext secrets or PII at rest, in Temporal, or in logs', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  const logs = logCapture();
  const secrets: Record<string, string> = {};
  let approvalId: string;
  let personId: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    hooks = await startHttpReceiver();
    api = await startTestApi({ smtpUrl: smtp.url, logLevel: 'info' }, logs.stream);
    await api.startWorker();
    const admin = await api.tokenFor('admin');
    const decider = await api.tokenFor('compliance-officer');
    secrets.adminToken = admin.token;
    secrets.deciderToken = decider.token;
    const as = (token: string) => ({ authorization: `Bearer ${token}` });

    // A person with a name and an e-mail address, and an API key for them.
    const person = await api.app.inject({ method: 'POST', url: '/principals', headers: as(admin.token), payload: { kind: 'person', name: NAME, email: EMAIL, roles: ['compliance-officer'] } });
    expect(person.statusCode).toBe(201);
    expect(person.json()).toMatchObject({ name: NAME, email: EMAIL });
    personId = person.json().id;
    const key = await api.app.inject({ method: 'POST', url: `/principals/${personId}/api-keys`, headers: as(admin.token), payload: { label: 'laptop' } });
    expect(key.statusCode).toBe(201);
    secrets.token = key.json().token;
    secrets.tokenSecret = secrets.token.split('_').slice(2).join('_');
    expect(secrets.tokenSecret.length).toBeGreaterThanOrEqual(43);

    // A webhook endpoint, whose signing secret is shown once.
    const endpoint = await api.app.inject({ method: 'POST', url: '/webhook-endpoints', headers: as(admin.token), payload: { url: `${hooks.url}/hook`, events: ['*'] } });
    expect(endpoint.statusCode).toBe(201);
    secrets.webhookSecret = endpoint.json().secret;
    expect(secrets.webhookSecret).toMatch(/^whsec_/);

    // The person requests an approval that e-mails them; another officer decides it.
    const requested = await api.app.inject({
      method: 'POST',
      url: '/approvals',
      headers: as(secrets.token),
      payload: { title: 'Renew the records retention exception', resource: { type: 'policy', id: 'pol_retention_7' }, approverRole: 'compliance-officer', notify: [EMAIL] },
    });
    expect(requested.statusCode).toBe(201);
    approvalId = requested.json().approvalId;
    await eventually(async () => (smtp.messages.some((m) => m.raw.includes(approvalId)) ? true : undefined), 60_000, 'the request e-mail');
    const decided = await api.app.inject({ method: 'POST', url: `/approvals/${approvalId}/decision`, headers: as(decider.token), payload: { decision: 'approve', reason: 'Retention period justified by contract' } });
    expect(decided.statusCode).toBe(200);
    await api.temporal.workflow.getHandle(`approval-${approvalId}`).result();
    await eventually(async () => (smtp.messages.filter((m) => m.raw.includes(approvalId)).length >= 2 ? true : undefined), 60_000, 'the outcome e-mail');
    await eventually(async () => (hooks.requests.filter((r) => r.body.includes(approvalId)).length >= 2 ? true : undefined), 60_000, 'the webhooks');
    // The e-mail really went to the person: the address exists in plaintext only where it must (the mail itself).
    expect(smtp.messages.filter((m) => m.raw.includes(approvalId)).every((m) => m.to.map((t) => t.toLowerCase()).includes(EMAIL.toLowerCase()))).toBe(true);

    // An access request: what did we send to this person? The address travels in the query string.
    const lookup = await api.app.inject({ method: 'GET', url: `/deliveries?recipient=${encodeURIComponent(EMAIL)}`, headers: as(admin.token) });
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json().items.length).toBeGreaterThanOrEqual(2);

    // Requests that fail: a wrong key (shaped like the real one), and bodies that do not validate but carry PII.
    secrets.wrongToken = `${secrets.token.slice(0, -6)}AAAAAA`;
    const wrong = await api.app.inject({ method: 'GET', url: '/me', headers: as(secrets.wrongToken) });
    expect(wrong.statusCode).toBe(401);
    const invalid = await api.app.inject({ method: 'POST', url: '/principals', headers: as(admin.token), payload: { kind: 'person', name: NAME, email: EMAIL, roles: ['overlord'] } });
    expect(invalid.statusCode).toBe(400);
    const badEmail = await api.app.inject({ method: 'POST', url: '/principals', headers: as(admin.token), payload: { kind: 'person', name: NAME, email: `${EMAIL} <x>`, roles: ['staff'] } });
    expect(badEmail.statusCode).toBe(400);
    const notJson = await api.app.inject({ method: 'POST', url: '/principals', headers: { ...as(admin.token), 'content-type': 'application/json' }, payload: `{"name":"${NAME}","email":"${EMAIL}"` });
    expect(notJson.statusCode).toBe(400);
    const forbidden = await api.app.inject({ method: 'GET', url: '/access-log', headers: as(secrets.token) });
    expect(forbidden.statusCode).toBe(403);

    // Access-log entries are written after the response: wait until the last request's entry is there.
    await eventually(async () => ((await api.stores.accessLog.query({ principalId: personId, limit: 50 })).some((e) => e.route === '/access-log') ? true : undefined));
  });

  afterAll(async () => {
    await api?.close();
    await smtp?.close();
    await hooks?.close();
  });

  it('stores no plaintext name, e-mail, token, webhook secret or client address in any collection', async () => {
    const db = api.database.db;
    const collections = (await db.listCollections().toArray()).map((c) => c.name).sort();
    expect(collections).toEqual(expect.arrayContaining(['access_log', 'api_keys', 'deliveries', 'evidence_events', 'principals', 'webhook_endpoints']));
    const leaks: string[] = [];
    let documents = 0;
    for (const name of collections) {
      const docs = await db.collection(name).find({}).toArray();
      documents += docs.length;
      for (const doc of docs) {
        // The receiver's URL is configuration we chose (the endpoint's address, not a person's): take it out before
        // looking for the client address.
        const json = JSON.stringify(doc).split(hooks.url).join('<receiver>');
        for (const leak of leaksIn(json, { name: NAME, email: EMAIL, token: secrets.token, 'token secret': secrets.tokenSecret, 'admin token': secrets.adminToken, 'webhook secret': secrets.webhookSecret })) {
          leaks.push(`${name} ${String(doc._id)}: ${leak}`);
        }
        if (json.includes(CLIENT_ADDRESS)) leaks.push(`${name} ${String(doc._id)}: client address`);
      }
    }
    expect(leaks).toEqual([]);
    expect(documents).toBeGreaterThan(10);

    // The data is there, encrypted: the stores decrypt what the raw documents hide.
    const person = await db.collection('principals').findOne({ _id: personId as never });
    expect(person).toMatchObject({ nameEnc: expect.stringMatching(/^enc:v1:/), emailEnc: expect.stringMatching(/^enc:v1:/) });
    expect(await api.stores.principals.get(personId)).toMatchObject({ name: NAME, email: EMAIL });
    const entries = await api.stores.accessLog.query({ principalId: personId, limit: 50 });
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.every((e) => e.clientAddress === CLIENT_ADDRESS)).toBe(true);
    const rawEntry = await db.collection('access_log').findOne({ principalId: personId });
    expect(rawEntry?.clientAddressEnc).toMatch(/^enc:v1:/);
    expect(rawEntry).not.toHaveProperty('clientAddress');
    const mails = await api.stores.deliveries.list({ channel: 'email', resourceId: approvalId });
    expect(mails.length).toBeGreaterThanOrEqual(2);
    for (const mail of mails) expect(await api.stores.deliveries.recipientsOf(mail.id)).toEqual([EMAIL]);
    expect(await api.stores.webhookEndpoints.secretOf((await api.stores.webhookEndpoints.list())[0].id)).toBe(secrets.webhookSecret);
    expect(await api.stores.apiKeys.verify(secrets.token)).toMatchObject({ principalId: personId });
  });

  it('keeps the notified address out of the Temporal workflow history (payloads are encrypted)', async () => {
    const history = await api.temporal.workflow.getHandle(`approval-${approvalId}`).fetchHistory();
    expect(history.events?.length).toBeGreaterThan(5);
    const json = renderWithBytes(history);
    // The rendering shows what is stored in the clear: the search attribute naming the resource, and the codec's marker.
    expect(json).toContain('pol_retention_7');
    expect(json).toContain('binary/encrypted');
    expect(leaksIn(json, { email: EMAIL, name: NAME, token: secrets.token, 'webhook secret': secrets.webhookSecret })).toEqual([]);
    // The workflow did receive the address: the start event's input, decrypted with the codec, holds it.
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    expect(started.length).toBe(1);
    const [input] = await new EncryptionCodec(api.keyring).decode(started as Payload[]);
    expect(Buffer.from(input.data ?? new Uint8Array()).toString('utf8')).toContain(EMAIL);
  });

  it('writes request logs that contain no key, secret, e-mail, name or client address', () => {
    const records = logs.records();
    // The capture works: the API's request logs and the worker's delivery logs are in it.
    expect(records.some((r) => r.msg === 'incoming request')).toBe(true);
    expect(records.some((r) => r.msg === 'request completed')).toBe(true);
    expect(records.some((r) => r.msg === 'e-mail delivered')).toBe(true);
    expect(records.some((r) => r.msg === 'webhook delivered')).toBe(true);
    const urls = records.map((r) => (r.req as { url?: string } | undefined)?.url).filter(Boolean);
    expect(urls).toEqual(expect.arrayContaining(['/principals', '/approvals', `/approvals/${approvalId}/decision`]));

    const text = logs.text();
    expect(
      leaksIn(text, {
        token: secrets.token,
        'token secret': secrets.tokenSecret,
        'wrong token': secrets.wrongToken,
        'admin token': secrets.adminToken,
        'decider token': secrets.deciderToken,
        'webhook secret': secrets.webhookSecret,
        email: EMAIL,
        name: NAME,
      }),
    ).toEqual([]);
    // The client address is personal data too: no log field carries it (URLs of our own receivers may).
    const withAddress = records.filter((r) => stringsIn(r).includes(CLIENT_ADDRESS));
    expect(withAddress).toEqual([]);
  });
});
