import { ROLES } from '../../domain/roles';
import { startTestApi, type TestApi } from '../harness/app';

/**
 * The bad-input suite: malformed JSON, wrong types, missing and unknown fields, `$`-keys, dotted keys, huge bodies
 * and wrong content types, over every route that takes input. Each gets a 4xx problem+json naming the field,
 * never a 500, and writes nothing.
 */
interface BodyRoute {
  name: string;
  method: 'POST' | 'PATCH';
  url: () => string;
  valid: Record<string, unknown>;
  required: string[];
}

describe('bad input', () => {
  let api: TestApi;
  let token: string;
  let target: string;
  let approvalId: string;
  let subjectId: string;

  beforeAll(async () => {
    api = await startTestApi({ bodyLimit: 16 * 1024 });
    await api.startWorker();
    token = (await api.tokenFor(...ROLES)).token;
    target = (await api.stores.principals.create({ kind: 'system', name: 'CRM', roles: ['system'], createdBy: 'test' })).id;
    const requester = await api.tokenFor('compliance-officer');
    const created = await api.app.inject({ method: 'POST', url: '/approvals', headers: { authorization: `Bearer ${requester.token}` }, payload: { title: 'x', resource: { type: 'test', id: 'r1' }, approverRole: 'admin' } });
    approvalId = created.json().approvalId;
    subjectId = (await api.stores.subjects.create({ name: 'Ada', email: 'ada@example.org', country: 'DE' })).subject.id;
    await api.stores.purposes.create({ id: 'bad-input-news', name: 'News', description: 'News by e-mail', lawfulBasis: 'consent', channels: ['email'], policies: [], doubleOptIn: { required: false, confirmWithin: 'P7D' } });
    await api.stores.purposes.addNotice({ purposeId: 'bad-input-news', text: 'We e-mail you news.', language: 'en', effectiveFrom: new Date(), createdBy: 'test' });
  });

  afterAll(() => api.close());

  const routes = (): BodyRoute[] => [
    { name: 'create principal', method: 'POST', url: () => '/principals', valid: { kind: 'person', name: 'Ada', email: 'ada@example.org', roles: ['auditor'] }, required: ['kind', 'name', 'roles'] },
    { name: 'update principal', method: 'PATCH', url: () => `/principals/${target}`, valid: { roles: ['system'] }, required: [] },
    { name: 'create API key', method: 'POST', url: () => `/principals/${target}/api-keys`, valid: { label: 'sync' }, required: ['label'] },
    { name: 'create webhook endpoint', method: 'POST', url: () => '/webhook-endpoints', valid: { url: 'http://127.0.0.1:9/hook', events: ['*'] }, required: ['url', 'events'] },
    { name: 'request approval', method: 'POST', url: () => '/approvals', valid: { title: 'Approve', resource: { type: 'vendor', id: 'v1' }, approverRole: 'compliance-officer' }, required: ['title', 'resource'] },
    { name: 'decide approval', method: 'POST', url: () => `/approvals/${approvalId}/decision`, valid: { decision: 'reject', reason: 'no' }, required: ['decision', 'reason'] },
    { name: 'create subject', method: 'POST', url: () => '/subjects', valid: { name: 'Bo', email: 'bo@example.org', phone: '+49 30 901820', country: 'DE' }, required: ['country'] },
    { name: 'update subject', method: 'PATCH', url: () => `/subjects/${subjectId}`, valid: { email: 'ada.l@example.org' }, required: [] },
    {
      name: 'create purpose',
      method: 'POST',
      url: () => '/purposes',
      valid: { id: 'bad-input-other', name: 'Other', description: 'Other things', lawfulBasis: 'consent', channels: ['email'], policies: [{ jurisdiction: 'default', validFor: 'P1Y' }], doubleOptIn: { required: true, confirmWithin: 'P7D' } },
      required: ['id', 'name', 'description', 'lawfulBasis', 'channels', 'policies'],
    },
    {
      name: 'grant consent',
      method: 'POST',
      url: () => '/consents/grants',
      valid: { subjectId, purposeId: 'bad-input-news', method: 'checkbox', proof: { element: 'form#news', preTicked: false, action: 'ticked' }, ipAddress: '203.0.113.9' },
      required: ['subjectId', 'purposeId', 'method'],
    },
  ];

  async function snapshot(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of ['principals', 'api_keys', 'webhook_endpoints', 'evidence_events', 'subjects', 'purposes', 'notice_versions', 'consents', 'consent_events']) counts[name] = await api.database.db.collection(name).countDocuments();
    const state = await api.temporal.workflow.getHandle(`approval-${approvalId}`).query<{ status: string }>('state');
    counts[`approval ${state.status}`] = 1;
    return counts;
  }

  const send = (route: BodyRoute, payload: string, contentType = 'application/json') =>
    api.app.inject({ method: route.method, url: route.url(), payload, headers: { authorization: `Bearer ${token}`, 'content-type': contentType } });

  function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): { errors?: { field: string }[]; status: number } }, status: number, field?: string) {
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const body = res.json();
    expect(body.status).toBe(status);
    if (field) expect(body.errors?.map((e) => e.field)).toContain(field);
  }

  it('refuses every kind of bad body with a 4xx naming the field, and writes nothing', async () => {
    const before = await snapshot();
    for (const route of routes()) {
      expectProblem(await send(route, '{"broken": '), 400, 'body');
      expectProblem(await send(route, JSON.stringify(route.valid), 'text/plain'), 415, 'headers.content-type');
      expectProblem(await send(route, JSON.stringify({ ...route.valid, padding: 'x'.repeat(20 * 1024) })), 413, 'body');
      expectProblem(await send(route, JSON.stringify({ ...route.valid, surprise: 1 })), 400, 'body.surprise');
      expectProblem(await send(route, JSON.stringify({ ...route.valid, $where: 'sleep(1000)' })), 400, 'body.$where');
      expectProblem(await send(route, JSON.stringify({ ...route.valid, 'a.b': 1 })), 400, 'body.a.b');
      for (const field of Object.keys(route.valid)) {
        const wrongType = typeof route.valid[field] === 'string' ? 12345 : 'not-an-object';
        expectProblem(await send(route, JSON.stringify({ ...route.valid, [field]: wrongType })), 400, `body.${field}`);
        expectProblem(await send(route, JSON.stringify({ ...route.valid, [field]: { $gt: '' } })), 400, `body.${field}.$gt`);
      }
      for (const field of route.required) {
        const { [field]: _removed, ...rest } = route.valid;
        expectProblem(await send(route, JSON.stringify(rest)), 400, `body.${field}`);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an invalid e-mail address, phone number, country or policy by field name, and records nothing', async () => {
    const before = await snapshot();
    const call = (method: 'POST' | 'PATCH', url: string, payload: object) => api.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    const fields = (res: { json(): { errors?: { field: string }[] } }) => res.json().errors?.map((e) => e.field).sort();
    const subject = (payload: object) => call('POST', '/subjects', payload);

    let res = await subject({ email: 'ada at example.org', country: 'DE' });
    expectProblem(res, 400, 'body.email');
    expectProblem(await subject({ email: 'ada@example', country: 'DE' }), 400, 'body.email');
    expectProblem(await subject({ email: 'ada@example.org', phone: '030 123456X', country: 'DE' }), 400, 'body.phone');
    expectProblem(await subject({ phone: '+1 555', country: 'US' }), 400, 'body.phone');
    expectProblem(await subject({ email: 'ada@example.org', country: 'UK' }), 400, 'body.country');
    expectProblem(await subject({ email: 'ada@example.org', country: 'XX' }), 400, 'body.country');
    expectProblem(await subject({ email: 'ada@example.org', country: 'US', region: 'FR-75' }), 400, 'body.region');
    expectProblem(await subject({ email: 'ada@example.org', country: 'DE', timeZone: 'Mars/Olympus' }), 400, 'body.timeZone');
    expectProblem(await subject({ country: 'DE' }), 400, 'body.email');
    // Every problem at once, so a form can show them all.
    res = await subject({ email: 'nope', phone: 'call me', country: 'ZZ' });
    expectProblem(res, 400);
    expect(fields(res)).toEqual(['body.country', 'body.email', 'body.phone']);
    expectProblem(await call('PATCH', `/subjects/${subjectId}`, { email: 'ada@@example.org' }), 400, 'body.email');
    expectProblem(await call('PATCH', `/subjects/${subjectId}`, { country: 'EU' }), 400, 'body.country');

    const purpose = (changes: object) => call('POST', '/purposes', { id: 'bad-input-other', name: 'Other', description: 'Other things', lawfulBasis: 'consent', channels: ['email'], policies: [], ...changes });
    expectProblem(await purpose({ policies: [{ jurisdiction: 'UK', validFor: 'P1Y' }] }), 400, 'body.policies[0].jurisdiction');
    expectProblem(await purpose({ policies: [{ jurisdiction: 'default', validFor: 'one year' }] }), 400, 'body.policies[0].validFor');
    expectProblem(await purpose({ policies: [{ jurisdiction: 'EEA', validFor: 'P1Y', reminders: { count: 2, every: 'P7D' } }] }), 400, 'body.policies[0].reminders');
    expectProblem(await purpose({ doubleOptIn: { required: true, confirmWithin: 'soon' } }), 400, 'body.doubleOptIn.confirmWithin');
    expectProblem(await purpose({ channels: ['carrier-pigeon'] }), 400, 'body.channels[0]');
    expectProblem(await call('PATCH', '/purposes/bad-input-news', { policies: [{ jurisdiction: 'US-CA', validFor: 'P-1Y' }] }), 400, 'body.policies[0].validFor');

    const grant = (changes: object) => call('POST', '/consents/grants', { subjectId, purposeId: 'bad-input-news', method: 'checkbox', proof: { element: 'form#news', preTicked: false, action: 'ticked' }, ...changes });
    expectProblem(await grant({ subjectId: 'sub_nobody' }), 400, 'body.subjectId');
    expectProblem(await grant({ purposeId: 'no-such-purpose' }), 400, 'body.purposeId');
    expectProblem(await grant({ ipAddress: '999.1.1.1' }), 400, 'body.ipAddress');
    expectProblem(await grant({ source: { url: 'not a url' } }), 400, 'body.source.url');
    expectProblem(await grant({ proof: { element: 'form#news', preTicked: true, action: 'left ticked' } }), 400, 'body.proof.preTicked');
    expectProblem(await grant({ noticeVersionId: 'other-purpose@1' }), 400, 'body.noticeVersionId');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses bad query strings and path parameters by name', async () => {
    const get = (url: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expectProblem(await get('/access-log?limit=abc'), 400, 'querystring.limit');
    expectProblem(await get('/access-log?limit=100000'), 400, 'querystring.limit');
    expectProblem(await get('/evidence?from=yesterday'), 400, 'querystring.from');
    expectProblem(await get('/evidence?colour=blue'), 400, 'querystring.colour');
    expectProblem(await get('/evidence/verify?anchorSeq=3'), 400, 'querystring.anchorHash');
    expectProblem(await get('/approvals/not-an-id'), 400, 'params.approvalId');
    expectProblem(await get(`/consents/check?subjectId=${subjectId}&purposeId=bad-input-news&channel=fax`), 400, 'querystring.channel');
    expectProblem(await get(`/consents/check?subjectId=${subjectId}&channel=email`), 400, 'querystring.purposeId');
    expectProblem(await get('/consents/export?format=xml'), 400, 'querystring.format');
    expectProblem(await get('/consents/events/not-an-event/receipt'), 400, 'params.eventId');
    expectProblem(await get('/purposes/Not_A_Slug'), 400, 'params.purposeId');
    expectProblem(await get('/subjects/sub_missing'), 404);
    expectProblem(await get('/principals/prn_missing'), 404);
    expectProblem(await get('/no/such/route'), 404);
  });

  it('refuses an empty JSON body and a body on a route that takes none', async () => {
    const empty = await api.app.inject({ method: 'POST', url: '/principals', payload: '', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    expect(empty.statusCode).toBe(400);
    expect(String(empty.headers['content-type'])).toContain('application/problem+json');
  });
});
