import { WorkflowNotFoundError } from '@temporalio/common';
import { vendorWorkflowId, type VendorProcess } from '../../workflows/vendor';
import { startTestApi, type TestApi } from '../harness/app';
import { linkAfter, parseMail, pathOf } from '../harness/mail';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/receivers';
import { expectInvalid, problemOf } from '../harness/problems';
import { eventually } from '../harness/stack';
import { BASELINE_ANSWERS } from '../harness/vendor-answers';

/**
 * Bad input on the vendor routes and the vendor portal: every refusal is an `application/problem+json` answer naming
 * the field (400), or saying why (404, 409, 422), and leaves no trace — no vendor registered or changed, no process
 * started, no answer saved, nothing in the evidence trail.
 */
interface VendorView {
  vendorId: string;
  status: string;
  version?: number;
  contacts: Array<{ email: string }>;
  dataCategories: string[];
  process: VendorProcess | null;
}

describe('vendor input', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let manager: string;
  let officer: string;
  let auditor: string;
  let ownerId: string;
  let serial = 0;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    api = await startTestApi({ smtpUrl: smtp.url });
    await api.startWorker();
    manager = (await api.tokenFor('vendor-manager')).token;
    officer = (await api.tokenFor('compliance-officer')).token;
    auditor = (await api.tokenFor('auditor')).token;
    ownerId = (await api.stores.principals.create({ kind: 'person', name: 'Otto Owner', email: 'otto.owner@complyflow.example', roles: ['vendor-manager'], createdBy: 'test' })).id;
  });

  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  const send = (method: 'POST' | 'PATCH' | 'PUT' | 'GET', url: string, payload?: unknown, token: string | undefined = manager) =>
    api.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload !== undefined && { payload: payload as object }) });
  const post = (url: string, payload: unknown, token?: string) => send('POST', url, payload, token);
  const patch = (url: string, payload: unknown) => send('PATCH', url, payload);
  const get = (url: string, token: string | undefined = auditor) => send('GET', url, undefined, token);

  const profile = (over: Record<string, unknown> = {}) => {
    serial += 1;
    return {
      name: `Input Vendor ${serial}`,
      description: 'Runs our ticketing system.',
      services: ['Ticketing'],
      internalOwner: ownerId,
      contacts: [{ name: 'Ines Input', email: `ines.${serial}@vendor.example`, role: 'security' }],
      dataCategories: ['business-internal'],
      dataVolume: 50,
      systemAccess: 'read',
      criticality: 'low',
      countries: ['DE'],
      subProcessors: [{ name: 'Hoster', country: 'FR', service: 'Hosting' }],
      certifications: [{ kind: 'iso27001', issuedOn: '2025-01-01', expiresOn: '2028-01-01' }],
      ...over,
    };
  };

  async function register(over: Record<string, unknown> = {}): Promise<VendorView> {
    const res = await post('/vendors', profile(over));
    if (res.statusCode !== 201) throw new Error(`register → ${res.statusCode} ${res.body}`);
    return res.json() as VendorView;
  }

  async function evidenceCount(resourceId?: string): Promise<number> {
    return api.database.db.collection('evidence_events').countDocuments(resourceId ? { 'resource.id': resourceId } : {});
  }

  /** What a refused request must leave untouched: the register, each vendor's stored version, and the evidence. */
  async function everything() {
    const vendors = await api.database.db
      .collection('vendors')
      .find({}, { projection: { _id: 1, version: 1, status: 1 } })
      .sort({ _id: 1 })
      .toArray();
    const questionnaires = await api.database.db.collection('vendor_questionnaires').find({}).sort({ _id: 1 }).toArray();
    return { vendors, questionnaires, evidence: await evidenceCount() };
  }

  async function noProcess(vendorId: string): Promise<void> {
    await expect(api.temporal.workflow.getHandle(vendorWorkflowId(vendorId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  it('refuses a bad registration by field name, and registers nothing', async () => {
    await register(); // so the register is not trivially empty
    const before = await everything();
    const valid = profile();
    const reg = (over: Record<string, unknown>) => post('/vendors', { ...valid, ...over });
    const without = (field: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));

    expectInvalid(await reg({ surprise: 1 }), 'body.surprise', /not a known field/);
    expectInvalid(await reg({ status: 'approved' }), 'body.status', /not a known field/);
    expectInvalid(await reg({ remediation: [] }), 'body.remediation', /not a known field/);
    expectInvalid(await reg({ $where: 'sleep(1000)' }), 'body.$where', /\$/);
    expectInvalid(await reg({ contacts: [{ name: 'X', email: 'x@vendor.example', role: 'other', $ne: '' }] }), 'body.contacts[0].$ne');
    expectInvalid(await reg({ 'dpa.status': 'signed' }), 'body.dpa.status');
    expectInvalid(await reg({ contacts: [{ name: 'X', email: 'x@vendor.example', role: 'other', phone: '+49 30 1234' }] }), 'body.contacts[0].phone', /not a known field/);
    // Country codes: ISO 3166-1 alpha-2 only, upper case; "UK" is not one (the code is GB).
    expectInvalid(await reg({ countries: ['UK'] }), 'body.countries[0]', /ISO 3166-1 alpha-2/);
    expectInvalid(await reg({ countries: ['DE', 'XX'] }), 'body.countries[1]', /ISO 3166-1 alpha-2/);
    expectInvalid(await reg({ countries: ['de'] }), 'body.countries[0]');
    expectInvalid(await reg({ countries: ['Germany'] }), 'body.countries[0]');
    expectInvalid(await reg({ subProcessors: [{ name: 'Hoster', country: 'EU', service: 'Hosting' }] }), 'body.subProcessors[0].country', /ISO 3166-1 alpha-2/);
    // Data categories from the list only, each once.
    expectInvalid(await reg({ dataCategories: ['contact', 'gossip'] }), 'body.dataCategories[1]');
    expectInvalid(await reg({ dataCategories: ['contact', 'contact'] }), 'body.dataCategories');
    expectInvalid(await reg({ dataCategories: 'contact' }), 'body.dataCategories');
    expectInvalid(await reg({ dataCategories: [], dataVolume: 1000 }), 'body.dataVolume', /no data category/);
    // Contacts need real e-mail addresses and a known role.
    expectInvalid(await reg({ contacts: [{ name: 'Ines', email: 'ines at vendor.example', role: 'security' }] }), 'body.contacts[0].email');
    expectInvalid(await reg({ contacts: [{ name: 'Ines', email: 'ines@', role: 'security' }] }), 'body.contacts[0].email');
    expectInvalid(await reg({ contacts: [{ name: 'Ines', email: 'ines@vendor.example', role: 'ceo' }] }), 'body.contacts[0].role');
    expectInvalid(await reg({ dataVolume: -1 }), 'body.dataVolume');
    expectInvalid(await reg({ dataVolume: 'lots' }), 'body.dataVolume');
    expectInvalid(await reg({ dataVolume: 1.5 }), 'body.dataVolume');
    expectInvalid(await reg({ systemAccess: 'root' }), 'body.systemAccess');
    expectInvalid(await reg({ criticality: 'extreme' }), 'body.criticality');
    expectInvalid(await reg({ website: 'not a url' }), 'body.website');
    expectInvalid(await reg({ internalOwner: 'Olga Owner' }), 'body.internalOwner');
    expectInvalid(await reg({ certifications: [{ kind: 'iso9001', issuedOn: '2025-01-01', expiresOn: '2028-01-01' }] }), 'body.certifications[0].kind');
    expectInvalid(await reg({ certifications: [{ kind: 'iso27001', issuedOn: '2025-01-01', expiresOn: '2024-01-01' }] }), 'body.certifications[0].expiresOn', /before issuedOn/);
    expectInvalid(await reg({ certifications: [{ kind: 'iso27001', issuedOn: '2025-01-01', expiresOn: '01/01/2028' }] }), 'body.certifications[0].expiresOn');
    expectInvalid(await reg({ certifications: [{ kind: 'other', issuedOn: '2025-01-01', expiresOn: '2028-01-01' }] }), 'body.certifications[0].label', /required/);
    expectInvalid(await reg({ dpa: { status: 'signed', evidence: { name: 'dpa.pdf', sha256: 'not-a-hash' } } }), 'body.dpa.evidence.sha256');
    expectInvalid(await reg({ transferMechanism: { kind: 'handshake' } }), 'body.transferMechanism.kind');
    for (const field of ['name', 'description', 'internalOwner', 'dataVolume', 'systemAccess', 'criticality']) expectInvalid(await post('/vendors', without(field)), `body.${field}`, /required/);
    // Every problem at once, so a form can show them all.
    const many = problemOf(await reg({ countries: ['UK'], subProcessors: [{ name: 'Hoster', country: 'XX', service: 'Hosting' }], certifications: [{ kind: 'iso27001', issuedOn: '2025-01-01', expiresOn: '2024-01-01' }] }), 400);
    expect(many.errors!.map((e) => e.field).sort()).toEqual(['body.certifications[0].expiresOn', 'body.countries[0]', 'body.subProcessors[0].country']);

    expect(await everything()).toEqual(before);
  });

  it('refuses a bad change to a vendor by field name, and changes nothing', async () => {
    const vendor = await register();
    const before = await everything();
    const url = `/vendors/${vendor.vendorId}`;

    expectInvalid(await patch(url, { surprise: true }), 'body.surprise', /not a known field/);
    // Status and remediation move through the process only.
    expectInvalid(await patch(url, { status: 'approved' }), 'body.status', /not a known field/);
    expectInvalid(await patch(url, { lastApprovedAt: new Date().toISOString() }), 'body.lastApprovedAt', /not a known field/);
    expectInvalid(await patch(url, { $set: { status: 'approved' } }), 'body.$set');
    expectInvalid(await patch(url, { countries: ['UK'] }), 'body.countries[0]', /ISO 3166-1 alpha-2/);
    expectInvalid(await patch(url, { dataCategories: ['gossip'] }), 'body.dataCategories[0]');
    expectInvalid(await patch(url, { contacts: [{ name: 'New', email: 'new-at-vendor', role: 'security' }] }), 'body.contacts[0].email');
    // A change that makes the whole record wrong is refused too: a volume of data with no category saying what it is.
    expectInvalid(await patch(url, { dataCategories: [] }), 'body.dataVolume', /no data category/);
    expectInvalid(await patch(url, {}), 'body');
    expect(problemOf(await patch('/vendors/ven_doesnotexist0001', { description: 'x' }), 404).detail).toContain('ven_doesnotexist0001');
    expectInvalid(await patch('/vendors/not-a-vendor', { description: 'x' }), 'params.vendorId');
    expect(await everything()).toEqual(before);

    // A change of one field changes that field and nothing else.
    const changed = await patch(url, { description: 'Runs our ticketing and chat systems.' });
    expect(changed.statusCode).toBe(200);
    const stored = await api.stores.vendors.get(vendor.vendorId);
    expect(stored!.version).toBe(2);
    expect(stored).toMatchObject({
      description: 'Runs our ticketing and chat systems.',
      contacts: vendor.contacts,
      dataCategories: ['business-internal'],
      dataVolume: 50,
      countries: ['DE'],
      subProcessors: [{ name: 'Hoster', country: 'FR', service: 'Hosting' }],
      certifications: [{ kind: 'iso27001', issuedOn: '2025-01-01', expiresOn: '2028-01-01' }],
      status: 'prospective',
    });
  });

  it('refuses a bad review start by field name, starts nothing, and refuses a second review with 409', async () => {
    const vendor = await register();
    const url = `/vendors/${vendor.vendorId}/reviews`;
    const before = await everything();
    const timing = { remindEvery: 'P7D', maxReminders: 3, escalateAfter: 'P14D', expiresAfter: 'P30D' };

    expectInvalid(await post(url, { reason: 'Onboarding', surprise: 1 }), 'body.surprise', /not a known field/);
    expectInvalid(await post(url, {}), 'body.reason', /required/);
    expectInvalid(await post(url, { reason: '' }), 'body.reason');
    expectInvalid(await post(url, { reason: 'Onboarding', timing: { ...timing, remindEvery: 'weekly' } }), 'body.timing.remindEvery');
    expectInvalid(await post(url, { reason: 'Onboarding', timing: { ...timing, maxReminders: 99 } }), 'body.timing.maxReminders');
    expectInvalid(await post(url, { reason: 'Onboarding', timing: { ...timing, expiresAfter: undefined } }), 'body.timing.expiresAfter', /required/);
    // Well-formed durations that make no schedule: an escalation after the link expired, a zero-length interval.
    expectInvalid(await post(url, { reason: 'Onboarding', timing: { ...timing, escalateAfter: 'P30D' } }), 'body.timing.escalateAfter', /before expiresAfter/);
    expectInvalid(await post(url, { reason: 'Onboarding', timing: { ...timing, remindEvery: 'P0D' } }), 'body.timing.remindEvery', /positive/);
    expectInvalid(await post(url, { reason: 'Onboarding', reassessEvery: 'P0D' }), 'body.reassessEvery', /positive/);
    expectInvalid(await post(url, { reason: 'Onboarding', reassessEvery: 'yearly' }), 'body.reassessEvery');
    expectInvalid(await post(url, { reason: 'Onboarding', certificateLeadDays: [0] }), 'body.certificateLeadDays[0]');
    expectInvalid(await post(url, { reason: 'Onboarding', certificateLeadDays: [30, 30] }), 'body.certificateLeadDays');
    expect(problemOf(await post('/vendors/ven_doesnotexist0001/reviews', { reason: 'Onboarding' }), 404).detail).toContain('ven_doesnotexist0001');
    expectInvalid(await post('/vendors/nope/reviews', { reason: 'Onboarding' }), 'params.vendorId');
    expect(await everything()).toEqual(before);
    await noProcess(vendor.vendorId);

    // A good start, then a second one while the first review runs.
    const started = await post(url, { reason: 'Onboarding', timing });
    expect(started.statusCode).toBe(201);
    const view = started.json() as VendorView;
    expect(view).toMatchObject({ status: 'under-review', process: { phase: 'questionnaire', cycle: 1 } });
    const running = await eventually(async () => ((await evidenceCount(vendor.vendorId)) >= 1 ? everything() : undefined), 10_000, 'the review to open');
    const again = problemOf(await post(url, { reason: 'Once more' }), 409);
    expect(again.detail).toMatch(/under-review/);
    const runs = await api.temporal.workflow.count(`WorkflowId = '${vendorWorkflowId(vendor.vendorId)}'`);
    expect(runs.count).toBe(1);
    expect(await everything()).toEqual(running);
    expect(((await get(`/vendors/${vendor.vendorId}`)).json() as VendorView).process).toMatchObject({ cycle: 1, questionnaire: { questionnaireId: view.process!.questionnaire!.questionnaireId } });
  });

  it('refuses bad answers on the portal by question id, and saves nothing', async () => {
    const vendor = await register();
    expect((await post(`/vendors/${vendor.vendorId}/reviews`, { reason: 'Onboarding' })).statusCode).toBe(201);
    const address = vendor.contacts[0].email;
    const mail = await eventually(async () => smtp.messages.filter((m) => m.to.includes(address)).map((m) => parseMail(m.raw, m.to))[0], 20_000, 'the questionnaire e-mail');
    const link = linkAfter(mail, 'Open the questionnaire:');
    const page = pathOf(link);
    const token = new URL(link).searchParams.get('token')!;
    const answersUrl = `/vendor-portal/questionnaire/answers?token=${encodeURIComponent(token)}`;
    const submitUrl = `/vendor-portal/questionnaire/submit?token=${encodeURIComponent(token)}`;
    const save = (body: unknown) => send('PUT', answersUrl, body, undefined);
    const submit = (body: unknown) => post(submitUrl, body, undefined);
    await eventually(async () => ((await evidenceCount(vendor.vendorId)) >= 1 ? true : undefined), 10_000, 'the review to open');
    const before = await everything();

    // The link is the only credential.
    expectInvalid(await get('/vendor-portal/questionnaire', undefined), 'querystring.token');
    expect(problemOf(await get(`/vendor-portal/questionnaire?token=${token.slice(0, -2)}xx`, undefined), 403).title).toBe('Invalid link');
    expect(problemOf(await send('PUT', `/vendor-portal/questionnaire/answers?token=${token.slice(0, -2)}xx`, { answers: { mfa: 'yes' } }, undefined), 403).title).toBe('Invalid link');

    expectInvalid(await save({ answers: { 'favourite-colour': 'blue' } }), 'body.answers.favourite-colour', /no question "favourite-colour"/);
    expectInvalid(await save({ answers: { mfa: 'maybe' } }), 'body.answers.mfa', /'yes' or 'no'/);
    expectInvalid(await save({ answers: { mfa: true } }), 'body.answers.mfa');
    expectInvalid(await save({ answers: { mfa: 1 } }), 'body.answers.mfa', /'yes' or 'no'/);
    expectInvalid(await save({ answers: { 'breach-notification-hours': 'soon' } }), 'body.answers.breach-notification-hours', /number/);
    expectInvalid(await save({ answers: { 'breach-notification-hours': -5 } }), 'body.answers.breach-notification-hours', /at least 0/);
    expectInvalid(await save({ answers: { 'data-location': ['DE'] } }), 'body.answers.data-location', /text/);
    expectInvalid(await save({ answers: { MFA: 'yes' } }), 'body.answers.MFA');
    expectInvalid(await save({ answers: { $gt: '' } }), 'body.answers.$gt');
    expectInvalid(await save({ answers: { mfa: 'yes' }, surprise: 1 }), 'body.surprise', /not a known field/);
    expectInvalid(await save({}), 'body.answers', /required/);
    // Every problem at once.
    const many = problemOf(await save({ answers: { mfa: 'maybe', 'encryption-at-rest': 'perhaps', 'favourite-colour': 'blue' } }), 400);
    expect(many.errors!.map((e) => e.field).sort()).toEqual(['body.answers.encryption-at-rest', 'body.answers.favourite-colour', 'body.answers.mfa']);
    // A submission must answer every required question.
    const incomplete = problemOf(await submit({ answers: { mfa: 'yes' } }), 400);
    expect(incomplete.errors).toEqual(expect.arrayContaining([{ field: 'body.answers.encryption-in-transit', message: 'an answer is required' }]));
    expect(incomplete.errors!.map((e) => e.field)).not.toContain('body.answers.mfa');
    expectInvalid(await submit({}), 'body.answers.mfa', /required/);
    expectInvalid(await submit({ answers: { ...BASELINE_ANSWERS, 'favourite-colour': 'blue' } }), 'body.answers.favourite-colour');

    expect(await everything()).toEqual(before);
    const shown = await get(page, undefined);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ status: 'open', answers: {}, savedAt: null });
    expect(((await get(`/vendors/${vendor.vendorId}`)).json() as VendorView).process).toMatchObject({ phase: 'questionnaire', questionnaire: { submitted: false } });

    // Good answers are saved, then submitted once.
    expect((await save({ answers: { mfa: 'yes' } })).statusCode).toBe(200);
    expect((await get(page, undefined)).json()).toMatchObject({ answers: { mfa: 'yes' } });
    expect((await submit({ answers: BASELINE_ANSWERS })).statusCode).toBe(200);
    expect(problemOf(await submit({ answers: BASELINE_ANSWERS }), 409).detail).toMatch(/already submitted/);
    expect(problemOf(await save({ answers: { mfa: 'no' } }), 409).detail).toMatch(/already submitted/);
    await eventually(async () => ((await get(`/vendors/${vendor.vendorId}`)).json() as VendorView).process?.phase === 'decision' || undefined, 20_000, 'the decision phase');
  });

  it('refuses steps on unknown vendors with 404, on vendors without a process with 409, out of turn with 422, and bad step bodies with 400', async () => {
    const missing = 'ven_doesnotexist0001';
    for (const [path, body] of [
      ['security-review', { findings: ['x'] }],
      ['decision', { decision: 'approve', reason: 'x' }],
      ['re-review', { reason: 'x' }],
      ['offboarding', { reason: 'x' }],
      ['offboarding/tasks/revoke-access/complete', {}],
      ['remediation/item-1/complete', {}],
    ] as const) {
      expect({ path, status: (await post(`/vendors/${missing}/${path}`, body, officer)).statusCode }).toEqual({ path, status: 404 });
    }
    expect(problemOf(await get(`/vendors/${missing}`), 404).detail).toContain(missing);
    expectInvalid(await get('/vendors/not-a-vendor'), 'params.vendorId');
    expectInvalid(await get('/vendors?format=xml'), 'querystring.format');

    // A prospective vendor has no process yet: nothing to decide (409, saying why).
    const prospective = await register();
    expect(problemOf(await post(`/vendors/${prospective.vendorId}/decision`, { decision: 'approve', reason: 'x' }, officer), 409).detail).toMatch(/No review or monitoring is running for this vendor \(it is prospective\)/);
    await noProcess(prospective.vendorId);

    // A vendor waiting for its questionnaire: no security review, decision, re-review or offboarding yet.
    const vendor = await register();
    expect((await post(`/vendors/${vendor.vendorId}/reviews`, { reason: 'Onboarding' })).statusCode).toBe(201);
    await eventually(async () => ((await evidenceCount(vendor.vendorId)) >= 1 ? true : undefined), 10_000, 'the review to open');
    const before = await everything();
    const refused = async (path: string, body: object, reason: RegExp) => expect(problemOf(await post(`/vendors/${vendor.vendorId}/${path}`, body, officer), 422).detail).toMatch(reason);
    await refused('security-review', { findings: ['Weak passwords'] }, /No security review is open: the process is in questionnaire/);
    await refused('decision', { decision: 'approve', reason: 'Looks fine' }, /No decision is pending: the process is in questionnaire/);
    await refused('re-review', { reason: 'Breach reported' }, /re-review starts from monitoring; the process is in questionnaire/);
    await refused('offboarding', { reason: 'Ending' }, /Offboarding starts from monitoring; the process is in questionnaire/);
    await refused('offboarding/tasks/revoke-access/complete', {}, /No offboarding is under way/);
    await refused('remediation/item-1/complete', {}, /No remediation item item-1/);

    const step = (path: string, body: unknown) => post(`/vendors/${vendor.vendorId}/${path}`, body, officer);
    expectInvalid(await step('decision', { decision: 'maybe', reason: 'x' }), 'body.decision');
    expectInvalid(await step('decision', { decision: 'approve' }), 'body.reason', /required/);
    expectInvalid(await step('decision', { decision: 'approve-with-conditions', reason: 'x', conditions: [{ description: 'Sign the DPA', owner: ownerId, dueAt: 'next week' }] }), 'body.conditions[0].dueAt');
    expectInvalid(await step('decision', { decision: 'approve-with-conditions', reason: 'x', conditions: [{ description: 'Sign the DPA', owner: ownerId, dueAt: new Date().toISOString(), covers: ['iso'] }] }), 'body.conditions[0].covers[0]');
    expectInvalid(await step('security-review', { findings: [] }), 'body.findings');
    expectInvalid(await step('security-review', { findings: ['x'], verdict: 'fine' }), 'body.verdict', /not a known field/);
    expectInvalid(await step('offboarding/tasks/shred-everything/complete', {}), 'params.kind');
    expectInvalid(await step('offboarding/tasks/return-or-delete-data/complete', { outcome: 'burned' }), 'body.outcome');
    expectInvalid(await step('offboarding/tasks/return-or-delete-data/complete', { outcome: 'deleted', evidence: { name: 'cert.pdf', sha256: '123' } }), 'body.evidence.sha256');
    expectInvalid(await step('offboarding', {}), 'body.reason', /required/);
    expect(await everything()).toEqual(before);
    expect(((await get(`/vendors/${vendor.vendorId}`)).json() as VendorView).process).toMatchObject({ phase: 'questionnaire' });
  });
});
