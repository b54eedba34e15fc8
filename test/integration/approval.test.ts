import { startTestApi, type TestApi } from '../harness/app';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';

/**
 * End to end on the real stack: an API call starts an approval workflow on the Temporal server, its activities write
 * evidence to the database and notify the real SMTP and HTTP receivers, and the evidence chain verifies.
 */
describe('approval process through the API', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  let admin: string;
  let requester: { token: string; principalId: string };
  let officer: { token: string; principalId: string };

  beforeAll(async () => {
    [smtp, hooks] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
    api = await startTestApi({ smtpUrl: smtp.url });
    await api.startWorker();
    admin = (await api.tokenFor('admin')).token;
    requester = await api.tokenFor('compliance-officer');
    officer = await api.tokenFor('compliance-officer');
    const endpoint = await api.app.inject({ method: 'POST', url: '/webhook-endpoints', headers: { authorization: `Bearer ${admin}` }, payload: { url: `${hooks.url}/hook`, events: ['*'] } });
    expect(endpoint.statusCode).toBe(201);
  });

  afterAll(async () => {
    await api.close();
    await Promise.all([smtp.close(), hooks.close()]);
  });

  const post = (token: string, url: string, payload: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, ...headers }, payload: payload as object });
  const get = (token: string, url: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('runs request → notification → four-eyes decision → evidence that verifies', async () => {
    const created = await post(requester.token, '/approvals', {
      title: 'Approve DPA with Acme',
      resource: { type: 'vendor', id: 'ven_acme' },
      approverRole: 'compliance-officer',
      notify: ['dpo@example.org'],
      remindEverySeconds: 3600,
    });
    expect(created.statusCode).toBe(201);
    const { approvalId, status } = created.json();
    expect(status).toBe('pending');

    // The activity wrote the evidence event to the database.
    const requested = await eventually(async () => {
      const res = await get(officer.token, `/evidence?resourceId=${approvalId}`);
      const items = res.json().items as { action: string; actor: { id: string } }[];
      return items.find((e) => e.action === 'approval.requested');
    });
    expect(requested.actor.id).toBe(requester.principalId);
    await eventually(async () => (smtp.messages.some((m) => m.raw.includes(approvalId)) ? true : undefined));
    expect(smtp.messages.find((m) => m.raw.includes(approvalId))?.to).toEqual(['dpo@example.org']);

    // Four eyes: the requester may not decide, another compliance officer may.
    const own = await post(requester.token, `/approvals/${approvalId}/decision`, { decision: 'approve', reason: 'looks fine' });
    expect(own.statusCode).toBe(422);
    expect(own.headers['content-type']).toContain('application/problem+json');
    expect(own.json().detail).toMatch(/four-eyes/);
    const decided = await post(officer.token, `/approvals/${approvalId}/decision`, { decision: 'approve', reason: 'DPA signed, SCCs in place' });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'approved', decision: { decidedBy: { id: officer.principalId } } });

    const closed = await api.temporal.workflow.getHandle(`approval-${approvalId}`).result();
    expect(closed.status).toBe('approved');
    const actions = (await get(officer.token, `/evidence?resourceId=${approvalId}`)).json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['approval.requested', 'approval.approved']);
    await eventually(async () => (hooks.requests.filter((r) => r.body.includes(approvalId)).length === 2 ? true : undefined));
    expect(hooks.requests.filter((r) => r.body.includes(approvalId)).map((r) => JSON.parse(r.body).type)).toEqual(['approval.requested', 'approval.approved']);

    const verification = await get(officer.token, '/evidence/verify');
    expect(verification.json()).toMatchObject({ ok: true });
    expect(verification.json().checked).toBeGreaterThanOrEqual(2);
  });

  it('returns the same approval for a replayed Idempotency-Key and refuses the key with another body', async () => {
    const body = { title: 'Retention exception', resource: { type: 'policy', id: 'pol_1' }, approverIds: [officer.principalId] };
    const first = await post(requester.token, '/approvals', body, { 'idempotency-key': 'retention-exception-0001' });
    const second = await post(requester.token, '/approvals', body, { 'idempotency-key': 'retention-exception-0001' });
    expect(first.statusCode).toBe(201);
    expect([200, 201]).toContain(second.statusCode);
    expect(second.json().approvalId).toBe(first.json().approvalId);
    const other = await post(requester.token, '/approvals', { ...body, title: 'Something else' }, { 'idempotency-key': 'retention-exception-0001' });
    expect(other.statusCode).toBe(409);
    const runs = [];
    for await (const run of api.temporal.workflow.list({ query: `WorkflowId = 'approval-${first.json().approvalId}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
  });

  it('lets a named staff approver decide, and hides the approval from other staff', async () => {
    const staff = await api.tokenFor('staff');
    const otherStaff = await api.tokenFor('staff');
    const created = await post(requester.token, '/approvals', { title: 'Access to payroll export', resource: { type: 'access', id: 'acc_9' }, approverIds: [staff.principalId] });
    const { approvalId } = created.json();
    expect((await get(otherStaff.token, `/approvals/${approvalId}`)).statusCode).toBe(404);
    expect((await get(staff.token, `/approvals/${approvalId}`)).statusCode).toBe(200);
    const refused = await post(otherStaff.token, `/approvals/${approvalId}/decision`, { decision: 'approve', reason: 'ok' });
    expect(refused.statusCode).toBe(422);
    const decided = await post(staff.token, `/approvals/${approvalId}/decision`, { decision: 'reject', reason: 'Not needed for the role' });
    expect(decided.json().status).toBe('rejected');
  });
});
