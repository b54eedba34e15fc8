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

  beforeAll(async () => {
    api = await startTestApi({ bodyLimit: 16 * 1024 });
    await api.startWorker();
    token = (await api.tokenFor(...ROLES)).token;
    target = (await api.stores.principals.create({ kind: 'system', name: 'CRM', roles: ['system'], createdBy: 'test' })).id;
    const requester = await api.tokenFor('compliance-officer');
    const created = await api.app.inject({ method: 'POST', url: '/approvals', headers: { authorization: `Bearer ${requester.token}` }, payload: { title: 'x', resource: { type: 'test', id: 'r1' }, approverRole: 'admin' } });
    approvalId = created.json().approvalId;
  });

  afterAll(() => api.close());

  const routes = (): BodyRoute[] => [
    { name: 'create principal', method: 'POST', url: () => '/principals', valid: { kind: 'person', name: 'Ada', email: 'ada@example.org', roles: ['auditor'] }, required: ['kind', 'name', 'roles'] },
    { name: 'update principal', method: 'PATCH', url: () => `/principals/${target}`, valid: { roles: ['system'] }, required: [] },
    { name: 'create API key', method: 'POST', url: () => `/principals/${target}/api-keys`, valid: { label: 'sync' }, required: ['label'] },
    { name: 'create webhook endpoint', method: 'POST', url: () => '/webhook-endpoints', valid: { url: 'http://127.0.0.1:9/hook', events: ['*'] }, required: ['url', 'events'] },
    { name: 'request approval', method: 'POST', url: () => '/approvals', valid: { title: 'Approve', resource: { type: 'vendor', id: 'v1' }, approverRole: 'compliance-officer' }, required: ['title', 'resource'] },
    { name: 'decide approval', method: 'POST', url: () => `/approvals/${approvalId}/decision`, valid: { decision: 'reject', reason: 'no' }, required: ['decision', 'reason'] },
  ];

  async function snapshot(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of ['principals', 'api_keys', 'webhook_endpoints', 'evidence_events']) counts[name] = await api.database.db.collection(name).countDocuments();
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

  it('refuses bad query strings and path parameters by name', async () => {
    const get = (url: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expectProblem(await get('/access-log?limit=abc'), 400, 'querystring.limit');
    expectProblem(await get('/access-log?limit=100000'), 400, 'querystring.limit');
    expectProblem(await get('/evidence?from=yesterday'), 400, 'querystring.from');
    expectProblem(await get('/evidence?colour=blue'), 400, 'querystring.colour');
    expectProblem(await get('/evidence/verify?anchorSeq=3'), 400, 'querystring.anchorHash');
    expectProblem(await get('/approvals/not-an-id'), 400, 'params.approvalId');
    expectProblem(await get('/principals/prn_missing'), 404);
    expectProblem(await get('/no/such/route'), 404);
  });

  it('refuses an empty JSON body and a body on a route that takes none', async () => {
    const empty = await api.app.inject({ method: 'POST', url: '/principals', payload: '', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    expect(empty.statusCode).toBe(400);
    expect(String(empty.headers['content-type'])).toContain('application/problem+json');
  });
});
