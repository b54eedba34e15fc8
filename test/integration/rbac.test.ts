import { ROLES, type Role } from '../../domain/roles';
import { startTestApi, type TestApi } from '../harness/app';
import { startHttpReceiver, type HttpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';

/**
 * The RBAC matrix: every route × every role, plus no credentials. Allowed roles succeed (2xx), others get 403,
 * no credentials get 401, and every refusal is in the access log. The expected matrix is written out here so a
 * change to a route's roles is a visible change to this test.
 */
const ALL = ROLES;
const EXPECTED: Record<string, readonly Role[]> = {
  'GET /me': ALL,
  'POST /principals': ['admin'],
  'GET /principals': ['admin'],
  'GET /principals/:principalId': ['admin'],
  'PATCH /principals/:principalId': ['admin'],
  'POST /principals/:principalId/api-keys': ['admin'],
  'GET /principals/:principalId/api-keys': ['admin'],
  'DELETE /api-keys/:keyId': ['admin'],
  'GET /access-log': ['auditor', 'admin'],
  'GET /evidence': ['auditor', 'compliance-officer', 'admin'],
  'GET /evidence/head': ['auditor', 'compliance-officer', 'admin'],
  'GET /evidence/verify': ['auditor', 'compliance-officer', 'admin'],
  'GET /evidence/export': ['auditor', 'compliance-officer', 'admin'],
  'POST /webhook-endpoints': ['admin'],
  'GET /webhook-endpoints': ['admin'],
  'DELETE /webhook-endpoints/:endpointId': ['admin'],
  'GET /deliveries': ['auditor', 'admin'],
  'POST /approvals': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder'],
  'GET /approvals': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder', 'auditor'],
  'GET /approvals/:approvalId': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder', 'auditor', 'staff'],
  'POST /approvals/:approvalId/decision': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder', 'staff'],
};

interface Call {
  url: string;
  payload?: object;
}

describe('RBAC matrix', () => {
  let api: TestApi;
  let hooks: HttpReceiver;
  const tokens = {} as Record<Role, { token: string; principalId: string }>;
  let calls: Record<string, (caller: { principalId: string }) => Promise<Call>>;

  beforeAll(async () => {
    hooks = await startHttpReceiver();
    api = await startTestApi();
    await api.startWorker();
    for (const role of ROLES) tokens[role] = await api.tokenFor(role);
    const target = await api.stores.principals.create({ kind: 'system', name: 'Target CRM', roles: ['system'], createdBy: 'test' });
    const requester = await api.tokenFor('compliance-officer');
    const newApproval = async (approverId: string) => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/approvals',
        headers: { authorization: `Bearer ${requester.token}` },
        payload: { title: 'Matrix check', resource: { type: 'test', id: 'res_1' }, approverIds: [approverId] },
      });
      return res.json().approvalId as string;
    };
    const newEndpoint = async () => (await api.stores.webhookEndpoints.create({ url: `${hooks.url}/x`, events: ['*'], createdBy: 'test' })).endpoint.id;
    calls = {
      'GET /me': async () => ({ url: '/me' }),
      'POST /principals': async () => ({ url: '/principals', payload: { kind: 'system', name: 'CRM', roles: ['system'] } }),
      'GET /principals': async () => ({ url: '/principals' }),
      'GET /principals/:principalId': async () => ({ url: `/principals/${target.id}` }),
      'PATCH /principals/:principalId': async () => ({ url: `/principals/${target.id}`, payload: { roles: ['system'] } }),
      'POST /principals/:principalId/api-keys': async () => ({ url: `/principals/${target.id}/api-keys`, payload: { label: 'crm sync' } }),
      'GET /principals/:principalId/api-keys': async () => ({ url: `/principals/${target.id}/api-keys` }),
      'DELETE /api-keys/:keyId': async () => ({ url: `/api-keys/${(await api.stores.apiKeys.create({ principalId: target.id, label: 'x', createdBy: 'test' })).key.keyId}` }),
      'GET /access-log': async () => ({ url: '/access-log?limit=5' }),
      'GET /evidence': async () => ({ url: '/evidence?limit=5' }),
      'GET /evidence/head': async () => ({ url: '/evidence/head' }),
      'GET /evidence/verify': async () => ({ url: '/evidence/verify' }),
      'GET /evidence/export': async () => ({ url: '/evidence/export?action=principal.created' }),
      'POST /webhook-endpoints': async () => ({ url: '/webhook-endpoints', payload: { url: `${hooks.url}/y`, events: ['approval.requested'] } }),
      'GET /webhook-endpoints': async () => ({ url: '/webhook-endpoints' }),
      'DELETE /webhook-endpoints/:endpointId': async () => ({ url: `/webhook-endpoints/${await newEndpoint()}` }),
      'GET /deliveries': async () => ({ url: '/deliveries' }),
      'POST /approvals': async () => ({ url: '/approvals', payload: { title: 'Matrix', resource: { type: 'test', id: 'res_2' }, approverRole: 'compliance-officer' } }),
      'GET /approvals': async () => ({ url: '/approvals' }),
      'GET /approvals/:approvalId': async (caller) => ({ url: `/approvals/${await newApproval(caller.principalId)}` }),
      'POST /approvals/:approvalId/decision': async (caller) => ({ url: `/approvals/${await newApproval(caller.principalId)}/decision`, payload: { decision: 'approve', reason: 'matrix' } }),
    };
  });

  afterAll(async () => {
    await api.close();
    await hooks.close();
  });

  const declared = () =>
    api.app.routeRoles.filter((r) => r.roles !== 'public' && !(r.url.length > 1 && r.url.endsWith('/'))).map((r) => ({ ...r, name: `${r.method} ${r.url}` }));

  it('covers every protected route, with the roles written out above', () => {
    const routes = declared();
    expect(routes.map((r) => r.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const route of routes) expect([...(route.roles as Role[])].sort()).toEqual([...EXPECTED[route.name]].sort());
  });

  it('admits exactly the declared roles and refuses everyone else', async () => {
    const failures: string[] = [];
    for (const route of declared()) {
      const [method] = route.name.split(' ');
      const anonymous = await calls[route.name]({ principalId: 'prn_nobody' });
      const unauth = await api.app.inject({ method: method as 'GET', url: anonymous.url, payload: anonymous.payload });
      if (unauth.statusCode !== 401) failures.push(`${route.name} without credentials → ${unauth.statusCode}`);
      for (const role of ROLES) {
        const call = await calls[route.name](tokens[role]);
        const res = await api.app.inject({ method: method as 'GET', url: call.url, payload: call.payload, headers: { authorization: `Bearer ${tokens[role].token}` } });
        const allowed = EXPECTED[route.name].includes(role);
        const ok = allowed ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === 403;
        if (!ok) failures.push(`${route.name} as ${role} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (!allowed && !res.headers['content-type']?.toString().includes('application/problem+json')) failures.push(`${route.name} as ${role}: 403 is not problem+json`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('logs refusals with the principal, route and outcome', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/access-log', headers: { authorization: `Bearer ${tokens.staff.token}` } });
    expect(res.statusCode).toBe(403);
    const anonymous = await api.app.inject({ method: 'GET', url: `/principals/prn_someone` });
    expect(anonymous.statusCode).toBe(401);
    const forbidden = await eventually(async () => (await api.stores.accessLog.query({ principalId: tokens.staff.principalId, limit: 50 })).find((e) => e.route === '/access-log' && e.outcome === 'forbidden'));
    expect(forbidden).toMatchObject({ method: 'GET', status: 403, roles: ['staff'], requestId: res.headers['x-request-id'] });
    const unauthenticated = await eventually(async () => (await api.stores.accessLog.query({ resourceId: 'prn_someone', limit: 5 })).find((e) => e.outcome === 'unauthenticated'));
    expect(unauthenticated).toMatchObject({ route: '/principals/:principalId', status: 401, clientAddress: '127.0.0.1' });
    expect(unauthenticated.principalId).toBeUndefined();
  });
});
