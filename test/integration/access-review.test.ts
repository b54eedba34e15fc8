import type { Role } from '../../domain/roles';
import { startTestApi, type TestApi } from '../harness/app';
import { parseMail, type ParsedMail } from '../harness/mail';
import { expectInvalid, problemOf } from '../harness/problems';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';

/**
 * Access recertification on the real stack: campaigns launched through the API build one item per active principal
 * in the worker, with flags and reviewers from the staff directory; a revoke decision takes effect on the principal's
 * very next request; a decision on one's own access waits for a second person; and without decisions the notices
 * arrive at a real SMTP server, and the final one auto-revokes or flags. Every campaign here covers every active
 * principal of this file's database, so each test leaves the principals the next one expects.
 */
interface Person {
  token: string;
  principalId: string;
  keyId: string;
  email?: string;
}

interface Item {
  itemId: string;
  principalId: string;
  principalKind?: string;
  entitlements: string[];
  flags: { flag: string; reason: string }[];
  reviewer: string;
  reviewerBasis: string;
  status: string;
  outcome?: string;
  decisions: { by: string; decision: string; reason?: string; selfReview?: boolean }[];
  revocation?: { cause: string; keysRevoked: string[]; rolesRemoved: string[] };
  version: number;
}

interface Review {
  reviewId: string;
  status: string;
  items?: number;
  policy: { dueAt: string; onNoDecision: string };
  fallbackReviewer: string;
  escalateTo: string;
  notices: { kind: string }[];
  report: { items: number; decided: number; kept: number; revoked: number; autoRevoked: number; flaggedUnreviewed: number; pending: number; byFlag: Record<string, number>; selfReviews: number };
}

const DAY = 86_400_000;
/** The second-scale policy: reminder at +3 s, due at +6 s, escalation at +8 s, final notice at +10 s. */
const FAST = { dueIn: 'PT6S', reminderLeads: ['PT3S'], escalateAfterDue: 'PT2S', finalAfterEscalation: 'PT2S' };

let api: TestApi;
let smtp: SmtpReceiver;
const byId = new Map<string, Person>();
const launched: string[] = [];
let officer: Person;
let secondOfficer: Person;
let manager: Person;
let employee: Person;

async function person(roles: Role[], label: string, options: { kind?: 'person' | 'system'; email?: boolean; ownerId?: string } = {}): Promise<Person> {
  const email = options.email === false ? undefined : `${label}.${Date.now()}@complyflow.example`;
  const principal = await api.stores.principals.create({ kind: options.kind ?? 'person', name: label, ...(email && { email }), roles, createdBy: 'test', ...(options.ownerId && { ownerId: options.ownerId }) });
  const { token, key } = await api.stores.apiKeys.create({ principalId: principal.id, label, createdBy: 'test' });
  const created = { token, principalId: principal.id, keyId: key.keyId, ...(email && { email }) };
  byId.set(principal.id, created);
  return created;
}

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown, headers: Record<string, string> = {}) =>
  api.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload !== undefined && { payload: payload as object }) });

function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

const review = async (reviewId: string, token = officer.token) => ok<Review>(await call('GET', `/access-reviews/${reviewId}`, token), 200);
const items = async (reviewId: string, token = officer.token) => ok<{ items: Item[] }>(await call('GET', `/access-reviews/${reviewId}/items?limit=500`, token), 200).items;
const itemOf = async (reviewId: string, principalId: string) => (await items(reviewId)).find((i) => i.principalId === principalId)!;
const decide = (reviewId: string, principalId: string, token: string, body: object) => call('POST', `/access-reviews/${reviewId}/items/${principalId}/decision`, token, body);
const me = async (who: Person) => (await call('GET', '/me', who.token)).statusCode;

/** Launches a campaign and waits until it is open for decisions. */
async function launch(body: object, token = officer.token): Promise<string> {
  const { reviewId } = ok<{ reviewId: string }>(await call('POST', '/access-reviews', token, body), 202);
  launched.push(reviewId);
  await eventually(async () => ((await review(reviewId)).status !== 'building' ? true : undefined), 30_000, `access review ${reviewId} to open`);
  return reviewId;
}

async function ended(reviewId: string, timeoutMs = 40_000): Promise<Review> {
  return eventually(async () => {
    const r = await review(reviewId);
    return r.status === 'ended' ? r : undefined;
  }, timeoutMs, `access review ${reviewId} to end`);
}

const mailsSince = (from: number): ParsedMail[] => smtp.messages.slice(from).map((m) => parseMail(m.raw, m.to));

/** Keeps every open item except `except`'s, each by whoever may decide it; one's own access with a second review. */
async function keepAllBut(reviewId: string, except: string[]): Promise<void> {
  for (const item of await items(reviewId)) {
    if (except.includes(item.principalId) || !['pending', 'escalated'].includes(item.status)) continue;
    const other = item.principalId === officer.principalId ? secondOfficer : officer;
    if (item.status === 'escalated') {
      ok(await decide(reviewId, item.principalId, other.token, { decision: 'keep', reason: 'Still needed.' }), 200);
    } else if (item.reviewer === item.principalId) {
      ok(await decide(reviewId, item.principalId, byId.get(item.reviewer)!.token, { decision: 'keep', reason: 'Still needed for my role.' }), 200);
      ok(await decide(reviewId, item.principalId, other.token, { decision: 'keep', reason: 'Confirmed.' }), 200);
    } else {
      ok(await decide(reviewId, item.principalId, byId.get(item.reviewer)!.token, { decision: 'keep' }), 200);
    }
  }
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  api = await startTestApi({ smtpUrl: smtp.url });
  await api.startWorker();
  officer = await person(['compliance-officer'], 'officer');
  secondOfficer = await person(['compliance-officer'], 'second-officer');
  // A manager is a plain staff principal; the directory links the employee to them.
  manager = await person(['staff'], 'manager');
  employee = await person(['staff'], 'employee');
  const boss = await api.stores.staff.upsert({ name: 'Mia Manager', email: 'mia@complyflow.example', department: 'sales', jobRoles: ['lead'], status: 'active', principalId: manager.principalId });
  await api.stores.staff.upsert({ name: 'Eli Employee', email: 'eli@complyflow.example', department: 'sales', jobRoles: ['rep'], status: 'active', principalId: employee.principalId, managerId: boss.member.id });
});

afterAll(async () => {
  // Campaigns still waiting for their due date live in the shared Temporal server: end them.
  await Promise.all(launched.map((id) => api?.temporal.workflow.getHandle(id).terminate('test finished').catch(() => undefined)));
  await api?.close();
  await smtp?.close();
});

describe('a campaign', () => {
  let reviewId: string;
  let dormant: Person;
  let admin: Person;
  let system: Person;
  let disabled: Person;
  let selfReviewer: Person;

  beforeAll(async () => {
    dormant = await person(['staff'], 'dormant');
    await api.stores.apiKeys.touch(dormant.keyId, new Date(Date.now() - 200 * DAY));
    admin = await person(['admin'], 'admin');
    system = await person(['system'], 'crm', { kind: 'system', email: false });
    disabled = await person(['staff'], 'disabled');
    await api.stores.principals.update(disabled.principalId, { status: 'disabled' });
    selfReviewer = await person(['compliance-officer'], 'self-reviewer');
    reviewId = await launch({ title: 'Q3 access recertification', dueIn: 'P7D', fallbackReviewer: selfReviewer.principalId, escalateTo: secondOfficer.principalId });
  });

  it('(d) reviews every active principal with a role, flags dormant and privileged access, and assigns reviewers', async () => {
    const all = await items(reviewId);
    const ids = all.map((i) => i.principalId);
    expect(ids).toEqual(expect.arrayContaining([officer, secondOfficer, manager, employee, dormant, admin, system, selfReviewer].map((p) => p.principalId)));
    expect(ids).not.toContain(disabled.principalId);
    const of = (p: Person) => all.find((i) => i.principalId === p.principalId)!;
    expect(of(dormant).flags).toContainEqual({ flag: 'dormant', reason: 'unused for more than 90 days' });
    expect(of(admin).flags.map((f) => f.flag)).toContain('privileged');
    expect(of(admin).entitlements).toEqual(['admin']);
    expect(of(system).flags.map((f) => f.flag)).toContain('orphaned');
    // Fresh principals are neither dormant nor privileged.
    expect(of(officer).flags).toEqual([]);
    expect(of(employee)).toMatchObject({ reviewer: manager.principalId, reviewerBasis: 'manager', status: 'pending' });
    expect(of(dormant)).toMatchObject({ reviewer: selfReviewer.principalId, reviewerBasis: 'fallback' });
    const read = await review(reviewId);
    expect(read).toMatchObject({ status: 'open', items: all.length, fallbackReviewer: selfReviewer.principalId, escalateTo: secondOfficer.principalId });
    expect(read.report).toMatchObject({ items: all.length, pending: all.length, decided: 0 });
    expect(read.report.byFlag.dormant).toBeGreaterThanOrEqual(1);
    expect(read.report.byFlag.privileged).toBeGreaterThanOrEqual(1);
    // Ids, roles and flags only: no names or addresses.
    expect(JSON.stringify(all)).not.toMatch(/complyflow\.example|Mia Manager|Eli Employee/);
    // Auditors read the campaign; staff see only the items they review.
    const auditor = await person(['auditor'], 'auditor');
    expect((await call('GET', `/access-reviews/${reviewId}`, auditor.token)).statusCode).toBe(200);
    expect((await call('GET', `/access-reviews/${reviewId}`, manager.token)).statusCode).toBe(403);
    expect((await items(reviewId, manager.token)).map((i) => i.principalId)).toEqual([employee.principalId]);
    expect((await decide(reviewId, employee.principalId, auditor.token, { decision: 'keep' })).statusCode).toBe(403);
  });

  it('e-mails each reviewer once with the count of items to review', async () => {
    const opened = await eventually(async () => {
      const found = mailsSince(0).filter((m) => m.subject.startsWith('Access review:') && m.to.includes(manager.email!));
      return found.length > 0 ? found : undefined;
    }, 30_000, "the manager's opening e-mail");
    expect(opened).toHaveLength(1);
    expect(opened[0].subject).toBe('Access review: 1 account(s) to recertify: Q3 access recertification');
    expect(opened[0].text).toContain(`/access-reviews/${reviewId}/items`);
  });

  it("(a) a revoke decision by the employee's manager refuses the employee's key on its very next request", async () => {
    expect(await me(employee)).toBe(200);
    // Staff decide only what they review; a revocation needs a reason.
    expect((await decide(reviewId, dormant.principalId, manager.token, { decision: 'revoke', reason: 'Unused.' })).statusCode).toBe(404);
    const noReason = problemOf(await decide(reviewId, employee.principalId, manager.token, { decision: 'revoke' }), 422);
    expect(noReason.errors).toEqual([{ field: 'body.reason', message: 'a reason is required to revoke' }]);
    // Only the assigned reviewer decides a pending item, even an officer.
    expect(problemOf(await decide(reviewId, employee.principalId, officer.token, { decision: 'keep' }), 422).detail).toBe('only the assigned reviewer may decide this item');

    const decided = ok<Item>(await decide(reviewId, employee.principalId, manager.token, { decision: 'revoke', reason: 'Moved to a role without API access.' }), 200);
    expect(await me(employee)).toBe(401);
    expect(decided).toMatchObject({ status: 'decided', outcome: 'revoke', revocation: { cause: 'decision', keysRevoked: [employee.keyId], rolesRemoved: ['staff'] } });
    expect((await api.stores.principals.get(employee.principalId))!.roles).toEqual([]);
    expect((await api.stores.apiKeys.get(employee.keyId))!.revokedAt).toBeDefined();
    // Without roles no route admits the principal, even with a key issued afterwards.
    const { token: fresh } = await api.stores.apiKeys.create({ principalId: employee.principalId, label: 'after revocation', createdBy: 'test' });
    expect((await call('GET', '/me', fresh)).statusCode).toBe(403);
    expect((await call('GET', `/access-reviews/${reviewId}/items`, fresh)).statusCode).toBe(403);
    expect(problemOf(await decide(reviewId, employee.principalId, manager.token, { decision: 'keep' }), 422).detail).toBe('review item is already decided');

    const trail = ok<{ items: { action: string; actor: { id: string }; data: Record<string, unknown> }[] }>(await call('GET', `/evidence?resourceType=principal&resourceId=${employee.principalId}`, officer.token), 200).items;
    expect(trail.find((e) => e.action === 'access-review.revoked')).toMatchObject({ actor: { id: manager.principalId }, data: { reviewId, cause: 'decision', keysRevoked: [employee.keyId], rolesRemoved: ['staff'] } });
    const decisions = ok<{ items: { action: string; data: Record<string, unknown> }[] }>(await call('GET', `/evidence?resourceType=access-review&resourceId=${reviewId}`, officer.token), 200).items;
    expect(decisions.find((e) => e.action === 'access-review.decided' && e.data.principalId === employee.principalId)).toMatchObject({ data: { decision: 'revoke', outcome: 'revoke', status: 'decided' } });
    expect(decisions.map((e) => e.action)).toContain('access-review.started');
  });

  it('(b) a decision on your own access waits for a second reviewer, who makes it take effect', async () => {
    const own = await itemOf(reviewId, selfReviewer.principalId);
    expect(own.reviewer).toBe(selfReviewer.principalId);
    expect(problemOf(await decide(reviewId, selfReviewer.principalId, selfReviewer.token, { decision: 'keep' }), 422).errors).toEqual([{ field: 'body.reason', message: 'a reason is required for a decision on your own access' }]);
    const waiting = ok<Item>(await decide(reviewId, selfReviewer.principalId, selfReviewer.token, { decision: 'revoke', reason: 'I no longer run reviews.' }), 200);
    expect(waiting).toMatchObject({ status: 'awaiting-second-review', decisions: [{ by: selfReviewer.principalId, decision: 'revoke', selfReview: true }] });
    expect(waiting.outcome).toBeUndefined();
    // Not in effect: the key still works, and the same person cannot give the second review.
    expect(await me(selfReviewer)).toBe(200);
    expect(problemOf(await decide(reviewId, selfReviewer.principalId, selfReviewer.token, { decision: 'revoke', reason: 'Really.' }), 422).detail).toMatch(/four-eyes/);
    expect(await me(selfReviewer)).toBe(200);

    const confirmed = ok<Item>(await decide(reviewId, selfReviewer.principalId, secondOfficer.token, { decision: 'revoke', reason: 'Confirmed: no longer needed.' }), 200);
    expect(confirmed).toMatchObject({ status: 'decided', outcome: 'revoke', revocation: { keysRevoked: [selfReviewer.keyId] } });
    expect(await me(selfReviewer)).toBe(401);
    expect((await review(reviewId)).report).toMatchObject({ revoked: 2, selfReviews: 1 });
  });
});

describe('without decisions', () => {
  let target: Person;

  it('(c) escalates by e-mail after the due date, then flags what is still undecided and leaves its access alone', async () => {
    target = await person(['staff'], 'flag-target');
    const before = smtp.messages.length;
    const reviewId = await launch({ title: 'Fast flagging review', ...FAST, onNoDecision: 'flag', escalateTo: secondOfficer.principalId });
    const escalation = await eventually(async () => mailsSince(before).find((m) => m.subject.startsWith('OVERDUE access review') && m.to.includes(secondOfficer.email!)), 40_000, 'the escalation e-mail');
    expect(escalation.subject).toMatch(/^OVERDUE access review: \d+ item\(s\) escalated: Fast flagging review$/);
    const done = await ended(reviewId);
    const subjects = mailsSince(before).filter((m) => m.to.includes(officer.email!)).map((m) => m.subject);
    expect(subjects.map((s) => s.split(':')[0])).toEqual(['Access review', 'Reminder', 'OVERDUE access review', 'Access review closed']);
    expect(done.notices.map((n) => n.kind)).toEqual(['opened', 'reminder', 'escalation', 'final']);
    expect(done.report).toMatchObject({ items: done.items, flaggedUnreviewed: done.items, autoRevoked: 0, pending: 0 });
    expect(await itemOf(reviewId, target.principalId)).toMatchObject({ status: 'flagged-unreviewed', escalationsSent: 1 });
    expect((await itemOf(reviewId, target.principalId)).outcome).toBeUndefined();
    expect(await me(target)).toBe(200);
    // An ended campaign takes no more decisions.
    problemOf(await decide(reviewId, target.principalId, officer.token, { decision: 'keep', reason: 'Late.' }), 409);
    const trail = ok<{ items: { action: string }[] }>(await call('GET', `/evidence?resourceType=access-review&resourceId=${reviewId}&limit=500`, officer.token), 200).items.map((e) => e.action);
    expect(trail).toEqual(expect.arrayContaining(['access-review.started', 'access-review.reminder', 'access-review.escalation', 'access-review.final', 'access-review.flagged-unreviewed', 'access-review.ended']));
  });

  it('(c) auto-revokes what is still undecided at the final notice: its key is refused', async () => {
    const victim = await person(['staff'], 'auto-revoke-target');
    const before = smtp.messages.length;
    const reviewId = await launch({ title: 'Fast auto-revoking review', ...FAST, onNoDecision: 'auto-revoke', escalateTo: secondOfficer.principalId });
    await keepAllBut(reviewId, [victim.principalId]);
    expect(await me(victim)).toBe(200);
    const escalation = await eventually(async () => mailsSince(before).find((m) => m.subject.startsWith('OVERDUE access review') && m.to.includes(secondOfficer.email!)), 40_000, 'the escalation e-mail');
    expect(escalation.subject).toBe('OVERDUE access review: 1 item(s) escalated: Fast auto-revoking review');
    const done = await ended(reviewId);
    expect(done.report).toMatchObject({ autoRevoked: 1, kept: done.items! - 1, pending: 0, flaggedUnreviewed: 0 });
    expect(await itemOf(reviewId, victim.principalId)).toMatchObject({ status: 'auto-revoked', outcome: 'revoke', revocation: { cause: 'auto-revoke', keysRevoked: [victim.keyId], rolesRemoved: ['staff'] } });
    expect(await me(victim)).toBe(401);
    // Everyone kept still works.
    expect(await me(officer)).toBe(200);
    expect(await me(target)).toBe(200);
    const trail = ok<{ items: { action: string; actor: { id: string } }[] }>(await call('GET', `/evidence?resourceType=principal&resourceId=${victim.principalId}`, officer.token), 200).items;
    expect(trail.find((e) => e.action === 'access-review.revoked')).toMatchObject({ actor: { id: 'system:access-review' } });
    const actions = ok<{ items: { action: string }[] }>(await call('GET', `/evidence?resourceType=access-review&resourceId=${reviewId}&limit=500`, officer.token), 200).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['access-review.auto-revoked', 'access-review.final', 'access-review.ended']));
  });
});

describe('a campaign whose items are all decided', () => {
  it('ends at once, without waiting for its notices', async () => {
    const reviewId = await launch({ title: 'Quick review', dueIn: 'P7D' });
    await keepAllBut(reviewId, []);
    const done = await ended(reviewId, 30_000);
    expect(done.report).toMatchObject({ items: done.items, kept: done.items, pending: 0 });
    expect(done.notices.map((n) => n.kind)).toEqual(['opened']);
  });
});

describe('bad input', () => {
  let reviewId: string;
  const inADay = () => new Date(Date.now() + DAY).toISOString();

  beforeAll(async () => {
    reviewId = await launch({ title: 'Input review', dueAt: inADay() });
  });

  it.each([
    ['a missing title', { dueIn: 'P7D' }, 'body.title'],
    ['neither dueAt nor dueIn', { title: 'x' }, 'body.dueAt'],
    ['both dueAt and dueIn', { title: 'x', dueAt: new Date(Date.now() + DAY).toISOString(), dueIn: 'P7D' }, 'body.dueIn'],
    ['a past dueAt', { title: 'x', dueAt: '2020-01-01T00:00:00Z' }, 'body.dueAt'],
    ['a dueAt that is no instant', { title: 'x', dueAt: 'tomorrow' }, 'body.dueAt'],
    ['an unreadable dueIn', { title: 'x', dueIn: 'P1Y-2M' }, 'body.dueIn'],
    ['a zero dueIn', { title: 'x', dueIn: 'PT0S' }, 'body.dueIn'],
    ['an unknown onNoDecision', { title: 'x', dueIn: 'P7D', onNoDecision: 'delete' }, 'body.onNoDecision'],
    ['a bad reminder lead', { title: 'x', dueIn: 'P7D', reminderLeads: ['P1D', 'Pfoo'] }, 'body.reminderLeads[1]'],
    ['a bad escalateAfterDue', { title: 'x', dueIn: 'P7D', escalateAfterDue: 'P0D' }, 'body.escalateAfterDue'],
    ['a bad finalAfterEscalation', { title: 'x', dueIn: 'P7D', finalAfterEscalation: 'soon' }, 'body.finalAfterEscalation'],
    ['a dormantAfterDays of 0', { title: 'x', dueIn: 'P7D', dormantAfterDays: 0 }, 'body.dormantAfterDays'],
    ['an unknown fallback reviewer', { title: 'x', dueIn: 'P7D', fallbackReviewer: 'prn_nobody' }, 'body.fallbackReviewer'],
    ['an unknown escalation contact', { title: 'x', dueIn: 'P7D', escalateTo: 'prn_nobody' }, 'body.escalateTo'],
    ['an unknown field', { title: 'x', dueIn: 'P7D', scope: 'all' }, 'body.scope'],
  ])('refuses a launch with %s', async (_, body, field) => {
    expectInvalid(await call('POST', '/access-reviews', officer.token, body), field);
  });

  it('refuses a disabled fallback reviewer and starts nothing', async () => {
    const gone = await person(['compliance-officer'], 'gone');
    await api.stores.principals.update(gone.principalId, { status: 'disabled' });
    const before = (await call('GET', '/access-reviews?limit=500', officer.token)).json().items.length;
    expectInvalid(await call('POST', '/access-reviews', officer.token, { title: 'x', dueIn: 'P7D', fallbackReviewer: gone.principalId }), 'body.fallbackReviewer', /cannot sign in/);
    expect((await call('GET', '/access-reviews?limit=500', officer.token)).json().items.length).toBe(before);
  });

  it('answers a replayed Idempotency-Key with the same campaign, and a reused one with another body with 409', async () => {
    const headers = { 'idempotency-key': `review-${Date.now()}` };
    const body = { title: 'Idempotent review', dueAt: inADay() };
    const first = ok<{ reviewId: string }>(await call('POST', '/access-reviews', officer.token, body, headers), 202);
    launched.push(first.reviewId);
    expect(ok<{ reviewId: string }>(await call('POST', '/access-reviews', officer.token, body, headers), 202)).toEqual(first);
    problemOf(await call('POST', '/access-reviews', officer.token, { ...body, title: 'Another' }, headers), 409);
  });

  it.each([
    ['an unknown decision', { decision: 'maybe' }, 'body.decision'],
    ['a deferUntil that is no instant', { decision: 'defer', reason: 'Waiting.', deferUntil: 'next week' }, 'body.deferUntil'],
    ['a blank reason', { decision: 'keep', reason: '' }, 'body.reason'],
    ['an unknown field', { decision: 'keep', note: 'x' }, 'body.note'],
  ])('refuses a decision with %s', async (_, body, field) => {
    expectInvalid(await decide(reviewId, secondOfficer.principalId, officer.token, body), field);
  });

  it.each([
    ['a deferral without deferUntil', { decision: 'defer', reason: 'Waiting for HR.' }, 'body.deferUntil', 'deferUntil is required to defer'],
    ['a deferral past the due date', { decision: 'defer', reason: 'Waiting for HR.', deferUntil: new Date(Date.now() + 30 * DAY).toISOString() }, 'body.deferUntil', /must not be after the campaign due date/],
    ['deferUntil with a keep', { decision: 'keep', deferUntil: new Date(Date.now() + 3600_000).toISOString() }, 'body.deferUntil', 'deferUntil only goes with a defer decision'],
    ['an escalation without reason', { decision: 'escalate' }, 'body.reason', 'a reason is required to escalate'],
  ])('refuses %s with 422 naming the field', async (_, body, field, message) => {
    const problem = problemOf(await decide(reviewId, secondOfficer.principalId, officer.token, body), 422);
    expect(problem.errors?.[0]?.field).toBe(field);
    expect(problem.detail).toMatch(message);
  });

  it('defers and escalates within the rules, and the escalation contact decides', async () => {
    const deferred = ok<Item & { deferredUntil?: string }>(await decide(reviewId, secondOfficer.principalId, officer.token, { decision: 'defer', reason: 'Waiting for HR.', deferUntil: new Date(Date.now() + 3600_000).toISOString() }), 200);
    expect(deferred).toMatchObject({ status: 'pending' });
    expect(deferred.deferredUntil).toBeDefined();
    ok(await decide(reviewId, secondOfficer.principalId, officer.token, { decision: 'escalate', reason: 'Not mine to judge.' }), 200);
    // The holder of the access cannot decide it once escalated; another officer can.
    expect(problemOf(await decide(reviewId, secondOfficer.principalId, secondOfficer.token, { decision: 'keep', reason: 'Mine.' }), 422).detail).toBe('only the escalation reviewer may decide this item once it is escalated');
    const kept = ok<Item>(await decide(reviewId, secondOfficer.principalId, officer.token, { decision: 'keep' }), 200);
    expect(kept).toMatchObject({ status: 'decided', outcome: 'keep' });
    expect(kept.decisions.map((d) => d.decision)).toEqual(['defer', 'escalate', 'keep']);
  });

  it('answers unknown campaigns and items with 404, and bad ids with 400', async () => {
    problemOf(await call('GET', '/access-reviews/arv_doesnotexist00', officer.token), 404);
    problemOf(await decide('arv_doesnotexist00', officer.principalId, officer.token, { decision: 'keep' }), 404);
    problemOf(await decide(reviewId, 'prn_nobody', officer.token, { decision: 'keep' }), 404);
    expectInvalid(await call('GET', '/access-reviews/not-a-review', officer.token), 'params.reviewId');
    expectInvalid(await call('GET', `/access-reviews/${reviewId}/items?status=maybe`, officer.token), 'querystring.status');
  });
});
