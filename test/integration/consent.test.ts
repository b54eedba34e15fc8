import { createHash } from 'node:crypto';
import { BSON } from 'mongodb';
import { temporal as proto } from '@temporalio/proto';
import { lifecycleWorkflowId } from '../../domain/consent-lifecycle';
import { publicUrl } from '../../platform/config';
import { LinkSigner } from '../../platform/links';
import { lifecycleQuery, type LifecycleView } from '../../workflows/consent';
import { startTestApi, type TestApi } from '../harness/app';
import { linkAfter, parseMail, pathOf, type ParsedMail } from '../harness/mail';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';

/**
 * Consent management end to end on the real stack: the API records consent events and signals one lifecycle
 * workflow per subject × purpose on the Temporal server; the worker's activities write the evidence, e-mail the
 * subject through the real SMTP receiver and deliver signed webhooks to the real HTTP receiver. Policies are given in
 * seconds so that whole renewal cycles run inside the test.
 */
const RENEWING = { jurisdiction: 'default', validFor: 'PT12S', renewBefore: 'PT8S', reminders: { count: 2, every: 'PT2S' } };
const NOTICES: Record<string, string> = {
  newsletter: 'We e-mail you our newsletter once a month. You can stop it at any time.',
  'product-updates': 'We e-mail you when a product you bought gets an update.',
  'partner-offers': 'We share offers from selected partners by e-mail.',
  'research-panel': 'We invite you to take part in customer research, by e-mail or phone.',
  'policy-test': 'We send you service announcements.',
};

interface Hook {
  path: string;
  type: string;
  id: string;
  data: { subjectId: string; purposeId: string; eventId: string; status: string; expiresAt: string | null };
}

describe('consent management', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  let admin: string;
  let officer: string;
  let system: string;
  let auditor: string;
  /** Every subject e-mail address used in this file, as typed and as stored (normalised). */
  const emails = new Set<string>();
  const subjectIds: string[] = [];
  let run = 0;

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const post = (token: string | undefined, url: string, payload?: object, extra: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url, headers: { ...(token && auth(token)), ...extra }, ...(payload && { payload }) });
  const get = (token: string | undefined, url: string) => api.app.inject({ method: 'GET', url, headers: token ? auth(token) : {} });

  beforeAll(async () => {
    [smtp, hooks] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
    api = await startTestApi({ smtpUrl: smtp.url });
    await api.startWorker();
    admin = (await api.tokenFor('admin')).token;
    officer = (await api.tokenFor('compliance-officer')).token;
    system = (await api.tokenFor('system')).token;
    auditor = (await api.tokenFor('auditor')).token;

    const purposes = [
      { id: 'newsletter', name: 'Newsletter', policies: [{ jurisdiction: 'default', validFor: 'P1Y' }], doubleOptIn: { required: true, confirmWithin: 'PT4S' } },
      { id: 'product-updates', name: 'Product updates', policies: [RENEWING] },
      { id: 'partner-offers', name: 'Partner offers', policies: [{ jurisdiction: 'default', validFor: 'P1Y' }, { jurisdiction: 'FR', validFor: 'P13M', source: 'CNIL' }] },
      { id: 'research-panel', name: 'Research panel', channels: ['email', 'phone'], policies: [{ jurisdiction: 'EEA', validFor: 'P2Y' }] },
      { id: 'policy-test', name: 'Service announcements', policies: [{ jurisdiction: 'default', validFor: 'P1Y' }] },
    ];
    for (const p of purposes) {
      const created = await post(officer, '/purposes', { lawfulBasis: 'consent', channels: ['email'], description: `${p.name} (test)`, ...p });
      expect(created.statusCode).toBe(201);
      expect((await post(officer, `/purposes/${p.id}/notices`, { text: NOTICES[p.id] })).statusCode).toBe(201);
    }
    // Two subscribers of the purpose whose lifecycles run in seconds, one of another purpose, one of everything.
    const endpoints = [
      { url: `${hooks.url}/a`, events: ['*'], purposeIds: ['product-updates'] },
      { url: `${hooks.url}/b`, events: ['consent.withdrawn', 'consent.expired'], purposeIds: ['product-updates'] },
      { url: `${hooks.url}/c`, events: ['*'], purposeIds: ['partner-offers'] },
      { url: `${hooks.url}/all`, events: ['*'] },
    ];
    for (const e of endpoints) {
      const res = await post(admin, '/webhook-endpoints', e);
      expect(res.statusCode).toBe(201);
      expect(res.json().purposeIds).toEqual(e.purposeIds);
    }
  });

  afterAll(async () => {
    await api?.close();
    await Promise.all([smtp?.close(), hooks?.close()]);
  });

  async function newSubject(name: string, country = 'DE', extra: Record<string, unknown> = {}): Promise<{ id: string; email: string }> {
    run += 1;
    const typed = `${name}.${run}+Consent@Example.org`;
    const res = await post(officer, '/subjects', { name: `${name} Tester`, email: typed, country, ...extra });
    expect(res.statusCode).toBe(201);
    const email = res.json().email as string;
    expect(email).toBe(typed.toLowerCase());
    emails.add(typed);
    emails.add(email);
    subjectIds.push(res.json().id);
    return { id: res.json().id, email };
  }

  const grant = (subjectId: string, purposeId: string, extra: Record<string, unknown> = {}, token = system) => post(token, '/consents/grants', { subjectId, purposeId, method: 'api', ...extra });

  const mailsTo = (email: string): ParsedMail[] => smtp.messages.filter((m) => m.to.includes(email)).map((m) => parseMail(m.raw, m.to));
  const mailIndex = (email: string, subject: string) => smtp.messages.findIndex((m) => m.to.includes(email) && parseMail(m.raw).subject === subject);
  const waitForMail = (email: string, subject: string, timeoutMs = 20_000) =>
    eventually(async () => mailsTo(email).find((m) => m.subject === subject), timeoutMs, `e-mail "${subject}"`);

  const hooksOf = (filter: { path?: string; subjectId?: string; type?: string }): Hook[] =>
    hooks.requests
      .map((r) => ({ path: r.path, ...(JSON.parse(r.body) as Omit<Hook, 'path'>) }))
      .filter((h) => (!filter.path || h.path === filter.path) && (!filter.subjectId || h.data.subjectId === filter.subjectId) && (!filter.type || h.type === filter.type));

  const check = async (subjectId: string, purposeId: string, channel = 'email') => {
    const res = await get(system, `/consents/check?subjectId=${subjectId}&purposeId=${purposeId}&channel=${channel}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { allowed: boolean; reason: string; record?: { eventId: string; status: string; grantedAt: string; expiresAt: string | null; noticeVersionId: string; method: string } };
  };
  const timeline = async (subjectId: string) => {
    const res = await get(auditor, `/consents/subjects/${subjectId}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { consents: { purposeId: string; status: string }[]; timeline: Record<string, unknown>[] };
  };
  const lifecycle = (subjectId: string, purposeId: string) => api.temporal.workflow.getHandle(lifecycleWorkflowId(subjectId, purposeId));

  it('confirms a double opt-in from the link in the e-mail, and lets an unconfirmed request lapse', async () => {
    const dora = await newSubject('Dora');
    const lars = await newSubject('Lars');
    const proof = { element: 'signup-form#newsletter', preTicked: false, action: 'ticked' };
    const requested = await grant(dora.id, 'newsletter', { method: 'form', proof, source: { formId: 'signup', url: 'https://shop.example.org/signup' } });
    expect(requested.statusCode).toBe(201);
    expect(requested.json()).toMatchObject({ event: { type: 'requested', method: 'form' }, state: { status: 'pending-confirmation' } });
    expect((await grant(lars.id, 'newsletter', { method: 'form', proof })).json().state.status).toBe('pending-confirmation');
    expect(await check(dora.id, 'newsletter')).toMatchObject({ allowed: false, reason: expect.stringMatching(/awaits confirmation/) });

    const mail = await waitForMail(dora.email, 'Please confirm: Newsletter', 10_000);
    expect(mail.text.replace(/\s+/g, ' ')).toContain(NOTICES.newsletter);
    const link = linkAfter(mail, 'Confirm:');
    expect(link).toMatch(/\/consent\/confirm\?token=/);
    expect(mail.links).toContain(link);

    // Opening the link shows a page and changes nothing; only its button (a POST) confirms.
    const page = await get(undefined, pathOf(link));
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<form method="post">');
    expect((await check(dora.id, 'newsletter')).record?.status).toBe('pending-confirmation');

    const confirmed = await post(undefined, pathOf(link));
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toEqual({ confirmed: ['newsletter'] });
    const after = await check(dora.id, 'newsletter');
    expect(after).toMatchObject({ allowed: true, record: { status: 'active', method: 'form', noticeVersionId: 'newsletter@1' } });
    expect(Date.parse(after.record!.expiresAt!) - Date.parse(after.record!.grantedAt)).toBeGreaterThan(364 * 86_400_000);
    // A second click (or a double-submit) is not an error.
    const again = await post(undefined, pathOf(link));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ confirmed: ['newsletter'] });
    expect((await timeline(dora.id)).timeline.map((e) => e.type)).toEqual(['requested', 'confirmed']);
    // Her address is confirmed now: a new grant renews the consent instead of asking for confirmation again.
    const renewed = await grant(dora.id, 'newsletter', { method: 'form', proof });
    expect(renewed.statusCode).toBe(201);
    expect(renewed.json()).toMatchObject({ event: { type: 'renewed' }, state: { status: 'active' } });

    // Lars never confirms: his request lapses after confirmWithin (PT4S), and his link is then refused as expired.
    const larsMail = await waitForMail(lars.email, 'Please confirm: Newsletter', 10_000);
    const lapsed = await eventually(async () => {
      const answer = await check(lars.id, 'newsletter');
      return answer.record?.status === 'lapsed' ? answer : undefined;
    }, 15_000, 'the lapse');
    expect(lapsed).toMatchObject({ allowed: false, reason: expect.stringMatching(/never confirmed/) });
    expect((await post(undefined, pathOf(linkAfter(larsMail, 'Confirm:')))).statusCode).toBe(410);
    expect((await check(lars.id, 'newsletter')).record?.status).toBe('lapsed');
    await eventually(async () => (hooksOf({ path: '/all', subjectId: lars.id, type: 'consent.lapsed' }).length === 1 ? true : undefined), 10_000, 'consent.lapsed webhook');
    expect(hooksOf({ path: '/all', subjectId: dora.id }).map((h) => h.type)).toEqual(expect.arrayContaining(['consent.requested', 'consent.confirmed']));
    // Subscribers of other purposes hear nothing about the newsletter.
    expect(hooksOf({ path: '/a', subjectId: dora.id })).toEqual([]);
    expect(hooksOf({ path: '/c', subjectId: dora.id })).toEqual([]);
  });

  it('records a checkbox grant and a preference-centre change with full proof, and refuses pre-ticked boxes and bad links', async () => {
    const paul = await newSubject('Paul', 'FR');
    const checkbox = await grant(
      paul.id,
      'partner-offers',
      { method: 'checkbox', proof: { element: 'checkout#partner-offers', preTicked: false, action: 'ticked' }, source: { formId: 'checkout', url: 'https://shop.example.org/checkout' }, ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0 (checkbox test)' },
    );
    expect(checkbox.statusCode).toBe(201);
    const granted = checkbox.json().event;
    expect(granted).toMatchObject({
      type: 'granted',
      purposeId: 'partner-offers',
      noticeVersionId: 'partner-offers@1',
      noticeTextHash: sha256(NOTICES['partner-offers']),
      method: 'checkbox',
      source: { formId: 'checkout', url: 'https://shop.example.org/checkout' },
      lawfulBasis: 'consent',
      consentType: 'express',
      proof: { element: 'checkout#partner-offers', preTicked: false, action: 'ticked' },
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (checkbox test)',
      actor: { type: 'person' },
    });
    // France has its own (CNIL) term of 13 months.
    const months = (Date.parse(granted.expiresAt) - Date.parse(granted.at)) / 86_400_000;
    expect(months).toBeGreaterThan(390);
    expect(months).toBeLessThan(400);

    // A pre-ticked box is not consent: refused by name, and nothing is recorded.
    const preTicked = await grant(paul.id, 'research-panel', { method: 'checkbox', proof: { element: 'checkout#research', preTicked: true, action: 'left ticked' } });
    expect(preTicked.statusCode).toBe(400);
    expect(preTicked.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.proof.preTicked']);
    const noProof = await grant(paul.id, 'research-panel', { method: 'checkbox' });
    expect(noProof.statusCode).toBe(400);
    expect(noProof.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.proof']);
    expect((await timeline(paul.id)).timeline).toHaveLength(1);

    // The preference centre, through a signed link.
    const issued = await post(officer, `/subjects/${paul.id}/preference-links`);
    expect(issued.statusCode).toBe(201);
    const centre = pathOf(issued.json().url);
    const shown = await get(undefined, centre);
    expect(shown.statusCode).toBe(200);
    const listed = shown.json().purposes as { purposeId: string; status: string; noticeText: string | null }[];
    expect(listed.find((p) => p.purposeId === 'partner-offers')).toMatchObject({ status: 'active', noticeText: NOTICES['partner-offers'] });
    expect(listed.find((p) => p.purposeId === 'research-panel')).toMatchObject({ status: 'none' });

    const changed = await api.app.inject({
      method: 'POST',
      url: centre,
      remoteAddress: '198.51.100.23',
      headers: { 'user-agent': 'Mozilla/5.0 (preference centre test)' },
      payload: { changes: [{ purposeId: 'research-panel', choice: 'grant' }, { purposeId: 'partner-offers', choice: 'withdraw' }] },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().results.map((r: { purposeId: string; status: string }) => `${r.purposeId}:${r.status}`)).toEqual(['research-panel:active', 'partner-offers:withdrawn']);

    const events = (await timeline(paul.id)).timeline;
    const viaCentre = events.find((e) => e.purposeId === 'research-panel')!;
    expect(viaCentre).toMatchObject({
      type: 'granted',
      noticeVersionId: 'research-panel@1',
      noticeTextHash: sha256(NOTICES['research-panel']),
      method: 'preference-centre',
      source: { formId: 'preference-centre', url: `${publicUrl(api.config)}/preferences` },
      lawfulBasis: 'consent',
      actor: { id: `subject:${paul.id}`, type: 'person' },
      proof: { element: 'preference-centre:research-panel', preTicked: false, action: 'switched on' },
      ipAddress: '198.51.100.23',
      userAgent: 'Mozilla/5.0 (preference centre test)',
    });
    expect(Date.parse(viaCentre.at as string)).toBeLessThanOrEqual(Date.now());
    const days = (Date.parse(viaCentre.expiresAt as string) - Date.parse(viaCentre.at as string)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(730);
    expect(days).toBeLessThanOrEqual(731);
    expect(events.find((e) => e.purposeId === 'partner-offers' && e.type === 'withdrawn')).toMatchObject({ method: 'preference-centre', actor: { id: `subject:${paul.id}` } });

    // IP address and user agent are stored encrypted only.
    const raw = await api.database.db.collection('consent_events').find({ subjectId: paul.id }).toArray();
    expect(raw).toHaveLength(3);
    for (const doc of raw) {
      expect(doc).not.toHaveProperty('ipAddress');
      expect(doc).not.toHaveProperty('userAgent');
      expect(String(doc.ipEnc)).toMatch(/^enc:v1:/);
      expect(String(doc.userAgentEnc)).toMatch(/^enc:v1:/);
      const text = JSON.stringify(doc);
      for (const secret of ['203.0.113.7', '198.51.100.23', 'Mozilla']) expect(text).not.toContain(secret);
    }

    // A token whose payload was changed (another subject) keeps its old signature: refused.
    const token = new URL(issued.json().url).searchParams.get('token')!;
    const [payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, sub: subjectIds[0] })).toString('base64url')}.${signature}`;
    const forged = await get(undefined, `/preferences?token=${tampered}`);
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    expect((await post(undefined, `/preferences?token=${tampered}`, { changes: [{ purposeId: 'partner-offers', choice: 'grant' }] })).statusCode).toBe(403);
    // Expired: signed with the real key, but past its time.
    const signer = new LinkSigner(api.keyring, 'http://localhost');
    const expired = signer.token({ act: 'preferences', sub: paul.id, exp: Math.floor(Date.now() / 1000) - 5 });
    expect((await get(undefined, `/preferences?token=${expired}`)).statusCode).toBe(410);
    expect((await post(undefined, `/preferences?token=${expired}`, { changes: [{ purposeId: 'partner-offers', choice: 'grant' }] })).statusCode).toBe(410);
    // A valid preference link does not open the one-click withdrawal.
    expect((await post(undefined, `/preferences/withdraw?token=${token}`)).statusCode).toBe(403);
    expect((await timeline(paul.id)).timeline).toHaveLength(3);
  });

  it('runs a renewal cycle: renewal request and reminders in order, renewal extends the expiry, silence expires it', async () => {
    const rita = await newSubject('Rita');
    const xavi = await newSubject('Xavi');
    const first = (await grant(rita.id, 'product-updates')).json();
    expect((await grant(xavi.id, 'product-updates')).statusCode).toBe(201);
    const originalExpiry = Date.parse(first.state.schedule.expiresAt);
    expect(first.state.schedule.reminderAts).toHaveLength(2);

    // Rita renews from the renewal e-mail's preference-centre link, then her CRM renews again through the API.
    const renewalMail = await waitForMail(rita.email, 'Do you still want: Product updates?', 15_000);
    expect(renewalMail.text.replace(/\s+/g, ' ')).toContain(NOTICES['product-updates']);
    const renewed = await post(undefined, pathOf(linkAfter(renewalMail, 'Renew or change your choices:')), { changes: [{ purposeId: 'product-updates', choice: 'grant' }] });
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().results[0].status).toBe('active');
    const afterCentre = await check(rita.id, 'product-updates');
    expect(afterCentre.allowed).toBe(true);
    expect(Date.parse(afterCentre.record!.expiresAt!)).toBeGreaterThan(originalExpiry);
    const viaApi = await grant(rita.id, 'product-updates');
    expect(viaApi.statusCode).toBe(201);
    expect(viaApi.json().event.type).toBe('renewed');
    expect(Date.parse(viaApi.json().state.schedule.expiresAt)).toBeGreaterThan(Date.parse(afterCentre.record!.expiresAt!));
    expect((await timeline(rita.id)).timeline.map((e) => e.type)).toEqual(['granted', 'renewed', 'renewed']);

    // Xavi does not answer: renewal request, reminder 1, reminder 2 — in that order — then expiry.
    const subjects = ['Do you still want: Product updates?', 'Reminder 1: your consent to Product updates ends soon', 'Reminder 2: your consent to Product updates ends soon'];
    await waitForMail(xavi.email, subjects[2], 20_000);
    const order = subjects.map((s) => mailIndex(xavi.email, s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const expired = await eventually(async () => {
      const answer = await check(xavi.id, 'product-updates');
      return answer.record?.status === 'expired' ? answer : undefined;
    }, 20_000, 'the expiry');
    expect(expired).toMatchObject({ allowed: false, reason: expect.stringMatching(/expired/) });
    for (const path of ['/a', '/b']) {
      await eventually(async () => (hooksOf({ path, subjectId: xavi.id, type: 'consent.expired' }).length > 0 ? true : undefined), 10_000, `consent.expired at ${path}`);
    }
    const [hook] = hooksOf({ path: '/b', subjectId: xavi.id, type: 'consent.expired' });
    expect(hook.data).toMatchObject({ purposeId: 'product-updates', status: 'expired' });
    expect((await lifecycle(xavi.id, 'product-updates').result()) as LifecycleView).toMatchObject({ state: { status: 'expired' } });
    expect(mailsTo(xavi.email).map((m) => m.subject)).toEqual(subjects);
    expect((await timeline(xavi.id)).timeline.map((e) => e.type)).toEqual(['granted', 'expired']);
    // Rita renewed, so she is still reachable when Xavi is not.
    expect((await check(rita.id, 'product-updates')).allowed).toBe(true);
    expect((await post(system, '/consents/withdrawals', { subjectId: rita.id, purposeId: 'product-updates' })).statusCode).toBe(200);
    const sent = [];
    for await (const e of api.stores.evidence.find({ resourceId: `${xavi.id}:product-updates` })) sent.push(e.action);
    expect(sent).toEqual(['consent.granted', 'consent.renewal-sent', 'consent.reminder-sent', 'consent.reminder-sent', 'consent.expired']);
  });

  it('stops reminders on a one-click withdrawal and tells every subscriber exactly once', async () => {
    const wim = await newSubject('Wim');
    const granted = (await grant(wim.id, 'product-updates')).json();
    const expiresAt = Date.parse(granted.state.schedule.expiresAt);

    const reminder = await waitForMail(wim.email, 'Reminder 1: your consent to Product updates ends soon', 15_000);
    const link = linkAfter(reminder, 'Withdraw now (one click):');
    const page = await get(undefined, pathOf(link));
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect((await check(wim.id, 'product-updates')).allowed).toBe(true);

    const withdrawn = await api.app.inject({ method: 'POST', url: pathOf(link), headers: { 'user-agent': 'Mozilla/5.0 (mail client)' } });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toEqual({ withdrawn: ['product-updates'] });
    // Contact stops the moment the call returns.
    expect(await check(wim.id, 'product-updates')).toMatchObject({ allowed: false, reason: expect.stringMatching(/withdrawn/), record: { status: 'withdrawn' } });
    const [event] = (await timeline(wim.id)).timeline.filter((e) => e.type === 'withdrawn');
    expect(event).toMatchObject({ method: 'preference-centre', source: { formId: 'one-click-withdrawal' }, actor: { id: `subject:${wim.id}`, type: 'person' }, userAgent: 'Mozilla/5.0 (mail client)' });

    // The link's use is in the access log with the subject as principal.
    const logged = await eventually(async () => {
      const entries = await api.stores.accessLog.query({ principalId: `subject:${wim.id}`, limit: 10 });
      return entries.find((e) => e.method === 'POST' && e.route === '/preferences/withdraw');
    });
    expect(logged).toMatchObject({ status: 200, outcome: 'allowed', roles: [] });
    expect(logged.resourceIds).toContain(wim.id);

    // Both subscribers of the purpose hear of it once; the subscriber of another purpose hears nothing.
    for (const path of ['/a', '/b']) {
      await eventually(async () => (hooksOf({ path, subjectId: wim.id, type: 'consent.withdrawn' }).length > 0 ? true : undefined), 10_000, `consent.withdrawn at ${path}`);
    }
    const result = (await lifecycle(wim.id, 'product-updates').result()) as LifecycleView;
    expect(result.state?.status).toBe('withdrawn');
    // Wait past the second reminder and the original expiry: nothing more may arrive.
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 1500));
    expect(mailsTo(wim.email).map((m) => m.subject)).toEqual(['Do you still want: Product updates?', 'Reminder 1: your consent to Product updates ends soon']);
    for (const path of ['/a', '/b']) expect(hooksOf({ path, subjectId: wim.id, type: 'consent.withdrawn' })).toHaveLength(1);
    expect(hooksOf({ path: '/b', subjectId: wim.id }).map((h) => h.type)).toEqual(['consent.withdrawn']);
    expect(hooksOf({ path: '/c', subjectId: wim.id })).toEqual([]);
    expect(hooksOf({ subjectId: wim.id, type: 'consent.expired' })).toEqual([]);

    // Propagation time: from the withdrawal to the last acknowledgement of its three subscribers (a, b and all).
    const report = (await get(officer, '/consents/propagation?purposeId=product-updates')).json();
    const item = report.items.find((i: { eventId: string }) => i.eventId === event.id);
    expect(item).toMatchObject({ subscribers: 3, acknowledged: 3 });
    expect(item.propagationMs).toBeGreaterThanOrEqual(0);
    expect(item.propagationMs).toBeLessThan(60_000);
    expect(report.complete).toBeGreaterThanOrEqual(1);
    expect(report.p50Ms).not.toBeNull();
  });

  it('brings a policy change to a running lifecycle', async () => {
    const quinn = await newSubject('Quinn');
    const granted = (await grant(quinn.id, 'policy-test')).json();
    const grantedAt = Date.parse(granted.state.grantedAt);
    const view = await eventually(async () => {
      const v = await lifecycle(quinn.id, 'policy-test').query(lifecycleQuery).catch(() => undefined);
      return v?.state?.status === 'active' ? v : undefined;
    });
    expect(view.next).toMatchObject({ kind: 'expiry', at: granted.state.schedule.expiresAt });

    const patched = await api.app.inject({ method: 'PATCH', url: '/purposes/policy-test', headers: auth(officer), payload: { policies: [{ jurisdiction: 'default', validFor: 'P30D', renewBefore: 'P7D', reminders: { count: 1, every: 'P2D' } }] } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().policyVersion).toBe(2);
    const day = 86_400_000;
    const updated = await eventually(async () => {
      const answer = await check(quinn.id, 'policy-test');
      return answer.record && Date.parse(answer.record.expiresAt!) === grantedAt + 30 * day ? answer : undefined;
    }, 15_000, 'the new expiry');
    expect(updated.allowed).toBe(true);
    const running = await eventually(async () => {
      const v = await lifecycle(quinn.id, 'policy-test').query(lifecycleQuery);
      return v.state?.schedule.expiresAt === updated.record!.expiresAt ? v : undefined;
    });
    expect(running.state?.schedule.renewalAt).toBe(new Date(grantedAt + 23 * day).toISOString());
    expect(running.next).toEqual({ kind: 'renewal', at: running.state!.schedule.renewalAt });
    expect((await timeline(quinn.id)).timeline.map((e) => e.type)).toEqual(['granted', 'policy-applied']);
  });

  it('answers for the record: subject timeline, receipts that verify, exports and stats', async () => {
    const erik = await newSubject('Erik');
    const made = (await grant(erik.id, 'partner-offers', { method: 'form', proof: { element: 'form#offers', preTicked: false, action: 'clicked' }, source: { formId: 'offers' } }, officer)).json();
    const withdrawn = (await post(system, '/consents/withdrawals', { subjectId: erik.id, purposeId: 'partner-offers' })).json();
    expect(withdrawn.state.status).toBe('withdrawn');
    expect((await post(system, '/consents/withdrawals', { subjectId: erik.id, purposeId: 'partner-offers' })).statusCode).toBe(409);

    const record = await timeline(erik.id);
    expect(record.consents).toEqual([expect.objectContaining({ purposeId: 'partner-offers', status: 'withdrawn' })]);
    expect(record.timeline.map((e) => e.id)).toEqual([made.event.id, withdrawn.event.id]);
    // The withdrawal ended the lifecycle; consenting again opens cycle 2 in a new run of the same workflow id.
    expect(((await lifecycle(erik.id, 'partner-offers').result()) as LifecycleView).state?.status).toBe('withdrawn');
    const again = (await grant(erik.id, 'partner-offers', { method: 'form', proof: { element: 'form#offers', preTicked: false, action: 'clicked' } })).json();
    expect(again).toMatchObject({ event: { type: 'granted', cycle: 2 }, state: { status: 'active', cycle: 2 } });
    const reopened = await eventually(async () => {
      const v = await lifecycle(erik.id, 'partner-offers').query(lifecycleQuery);
      return v.state?.grantEventId === again.event.id ? v : undefined;
    });
    expect(reopened.state?.status).toBe('active');
    expect((await post(system, '/consents/withdrawals', { subjectId: erik.id, purposeId: 'partner-offers' })).json().state).toMatchObject({ status: 'withdrawn', cycle: 2 });
    // Found by e-mail address (any case) through its blind index.
    const found = await post(officer, '/subjects/search', { email: erik.email.toUpperCase() });
    expect(found.json().items.map((s: { id: string }) => s.id)).toEqual([erik.id]);

    const receipt = await eventually(async () => {
      const res = await get(auditor, `/consents/events/${made.event.id}/receipt`);
      return res.statusCode === 200 && res.json().evidence ? res.json() : undefined;
    }, 15_000, 'the receipt');
    expect(receipt).toMatchObject({ event: { id: made.event.id, type: 'granted' }, notice: { id: 'partner-offers@1', text: NOTICES['partner-offers'], textHash: sha256(NOTICES['partner-offers']) }, evidence: { intact: true } });
    expect((await get(auditor, '/consents/events/cev_doesnotexist/receipt')).statusCode).toBe(404);

    const jsonl = await get(auditor, `/consents/export?format=jsonl&subjectId=${erik.id}`);
    expect(jsonl.statusCode).toBe(200);
    expect(jsonl.headers['content-type']).toContain('application/x-ndjson');
    const lines = jsonl.body.trim().split('\n').map((l) => JSON.parse(l));
    const all = (await timeline(erik.id)).timeline;
    expect(all.map((e) => e.type)).toEqual(['granted', 'withdrawn', 'granted', 'withdrawn']);
    // Ids and types only: the lifecycle stamps events with their evidence link as it goes.
    expect(lines.map((l) => `${l.id}:${l.type}:${l.method}`)).toEqual(all.map((e) => `${e.id}:${e.type}:${e.method}`));
    const csv = await get(auditor, `/consents/export?format=csv&purposeId=partner-offers&type=granted`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = csv.body.trim().split('\n');
    expect(rows[0]).toBe('id,subjectId,purposeId,type,at,cycle,consentType,lawfulBasis,noticeVersionId,noticeTextHash,method,sourceFormId,sourceUrl,actorId,expiresAt,evidenceSeq,evidenceHash');
    expect(rows.filter((r) => r.includes(erik.id))).toHaveLength(2);
    const erikRow = rows.find((r) => r.startsWith(`"${made.event.id}",`))!;
    expect(erikRow.split(',').slice(0, 4)).toEqual([made.event.id, erik.id, 'partner-offers', 'granted'].map((v) => `"${v}"`));
    expect(rows.slice(1).every((r) => r.includes('"partner-offers","granted"'))).toBe(true);

    const stats = await get(auditor, '/consents/stats');
    expect(stats.statusCode).toBe(200);
    const count = (purposeId: string, status: string) => (stats.json().items as { purposeId: string; status: string; count: number }[]).find((i) => i.purposeId === purposeId && i.status === status)?.count;
    expect(count('newsletter', 'active')).toBe(1);
    expect(count('newsletter', 'lapsed')).toBe(1);
    expect(count('partner-offers', 'withdrawn')).toBe(2);
    expect(count('partner-offers', 'active')).toBeUndefined();
    expect(count('product-updates', 'expired')).toBe(1);
    expect(count('product-updates', 'withdrawn')).toBe(2);
    expect((await api.stores.evidence.verify()).ok).toBe(true);
  });

  it('keeps the e-mail address out of every database document and every workflow history', async () => {
    expect(emails.size).toBeGreaterThanOrEqual(16);
    const needles = [...emails].map((e) => Buffer.from(e, 'utf8'));
    const collections = (await api.database.db.listCollections().toArray()).map((c) => c.name).sort();
    expect(collections).toEqual(expect.arrayContaining(['subjects', 'consents', 'consent_events', 'deliveries', 'access_log', 'evidence_events', 'purposes', 'notice_versions']));
    const leaks: string[] = [];
    let documents = 0;
    let idsSeen = 0;
    for (const name of collections) {
      for await (const doc of api.database.db.collection(name).find({})) {
        documents += 1;
        const bytes = Buffer.from(BSON.serialize(doc));
        const text = BSON.EJSON.stringify(doc);
        if (subjectIds.some((id) => text.includes(id))) idsSeen += 1;
        for (const [i, needle] of needles.entries()) if (bytes.includes(needle) || text.toLowerCase().includes([...emails][i].toLowerCase())) leaks.push(`${name}: ${doc._id}`);
      }
    }
    expect(leaks).toEqual([]);
    // The scan did read the data it vouches for: e-mails went out to these subjects and are logged (encrypted).
    expect(documents).toBeGreaterThan(100);
    expect(idsSeen).toBeGreaterThan(50);
    expect(await api.database.db.collection('deliveries').countDocuments({ channel: 'email', kind: { $in: ['consent.confirmation', 'consent.renewal', 'consent.reminder'] } })).toBeGreaterThanOrEqual(8);

    let runs = 0;
    let historiesNamingSubjects = 0;
    for await (const execution of api.temporal.workflow.list({ query: `TaskQueue = '${api.config.taskQueue}'` })) {
      runs += 1;
      let nextPageToken: Uint8Array | undefined;
      const chunks: Buffer[] = [];
      do {
        const page = await api.temporal.workflowService.getWorkflowExecutionHistory({
          namespace: api.config.temporalNamespace,
          execution: { workflowId: execution.workflowId, runId: execution.runId },
          nextPageToken,
        });
        chunks.push(Buffer.from(proto.api.history.v1.History.encode(page.history ?? {}).finish()));
        nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
      } while (nextPageToken);
      const history = Buffer.concat(chunks);
      if (subjectIds.some((id) => history.includes(Buffer.from(id)))) historiesNamingSubjects += 1;
      for (const needle of needles) if (history.includes(needle)) leaks.push(`history ${execution.workflowId}/${execution.runId}`);
    }
    expect(leaks).toEqual([]);
    // Every lifecycle run (including continued-as-new ones) was read; their search attributes name subjects by id.
    expect(runs).toBeGreaterThanOrEqual(subjectIds.length);
    expect(historiesNamingSubjects).toBeGreaterThanOrEqual(subjectIds.length);
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
