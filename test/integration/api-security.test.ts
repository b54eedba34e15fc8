import { createHash } from 'node:crypto';
import type { Role } from '../../domain/roles';
import { startTestApi, type TestApi } from '../harness/app';
import { eventually } from '../harness/stack';

/**
 * The API's security surface on the real stack: the API-key lifecycle (expiry, revocation, disabled principals),
 * per-principal rate limiting, security headers, request ids, the OpenAPI document, and the access-log query API.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^cfk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/;

type Headers = Record<string, string>;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => Record<string, unknown> }, status: number, slug?: string) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), requestId: res.headers['x-request-id'] });
  if (slug) expect(body.type).toBe(`https://complyflow.dev/problems/${slug}`);
  return body;
}

describe('API security', () => {
  let api: TestApi;
  let admin: { token: string; principalId: string };

  beforeAll(async () => {
    api = await startTestApi();
    admin = await api.tokenFor('admin');
  });

  afterAll(async () => {
    await api?.close();
  });

  const call = (method: Method, url: string, headers: Headers = {}, payload?: object) => api.app.inject({ method, url, headers, ...(payload && { payload }) });

  async function newPrincipal(roles: Role[], name = 'Key Holder') {
    const res = await call('POST', '/principals', bearer(admin.token), { kind: 'person', name, roles });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  }

  async function newKey(principalId: string, body: { label: string; expiresAt?: string } = { label: 'test' }) {
    const res = await call('POST', `/principals/${principalId}/api-keys`, bearer(admin.token), body);
    expect(res.statusCode).toBe(201);
    const key = res.json() as { keyId: string; token: string; expiresAt?: string };
    expect(key.token).toMatch(TOKEN);
    return key;
  }

  describe('API key lifecycle', () => {
    it('refuses a key that would expire in the past, naming body.expiresAt', async () => {
      const principalId = await newPrincipal(['staff']);
      const res = await call('POST', `/principals/${principalId}/api-keys`, bearer(admin.token), { label: 'stale', expiresAt: new Date(Date.now() - 60_000).toISOString() });
      const problem = expectProblem(res, 400, 'validation');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'body.expiresAt' })]);
      const list = await call('GET', `/principals/${principalId}/api-keys`, bearer(admin.token));
      expect(list.json().items).toEqual([]);
    });

    it('stops accepting a key once it has expired', async () => {
      const principalId = await newPrincipal(['staff']);
      const expiresAt = new Date(Date.now() + 2_000);
      const key = await newKey(principalId, { label: 'short-lived', expiresAt: expiresAt.toISOString() });
      expect(key.expiresAt).toBe(expiresAt.toISOString());
      const before = await call('GET', '/me', bearer(key.token));
      expect(before.statusCode).toBe(200);
      expect(before.json().id).toBe(principalId);
      await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 250);
      expectProblem(await call('GET', '/me', bearer(key.token)), 401, 'unauthenticated');
    });

    it('refuses a revoked key at once', async () => {
      const principalId = await newPrincipal(['staff']);
      const key = await newKey(principalId);
      const other = await newKey(principalId, { label: 'other' });
      expect((await call('GET', '/me', bearer(key.token))).statusCode).toBe(200);
      const revoked = await call('DELETE', `/api-keys/${key.keyId}`, bearer(admin.token));
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json()).toMatchObject({ keyId: key.keyId, revokedAt: expect.any(String) });
      expectProblem(await call('GET', '/me', bearer(key.token)), 401, 'unauthenticated');
      // Revoking is idempotent, and revokes only that key.
      const again = await call('DELETE', `/api-keys/${key.keyId}`, bearer(admin.token));
      expect(again.statusCode).toBe(200);
      expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
      expect((await call('GET', '/me', bearer(other.token))).statusCode).toBe(200);
      expectProblem(await call('DELETE', '/api-keys/NoSuchKey0000000', bearer(admin.token)), 404, 'not-found');
    });

    it('refuses every key of a disabled principal, and accepts them again once re-enabled', async () => {
      const principalId = await newPrincipal(['auditor']);
      const key = await newKey(principalId);
      expect((await call('GET', '/me', bearer(key.token))).statusCode).toBe(200);
      const disabled = await call('PATCH', `/principals/${principalId}`, bearer(admin.token), { status: 'disabled' });
      expect(disabled.statusCode).toBe(200);
      expect(disabled.json().status).toBe('disabled');
      expectProblem(await call('GET', '/me', bearer(key.token)), 401, 'unauthenticated');
      expectProblem(await call('GET', '/access-log', bearer(key.token)), 401, 'unauthenticated');
      expect((await call('PATCH', `/principals/${principalId}`, bearer(admin.token), { status: 'active' })).statusCode).toBe(200);
      expect((await call('GET', '/me', bearer(key.token))).statusCode).toBe(200);
    });

    it('does not let an admin disable themselves or drop their own admin role', async () => {
      const disable = await call('PATCH', `/principals/${admin.principalId}`, bearer(admin.token), { status: 'disabled' });
      expectProblem(disable, 422, 'unprocessable');
      const demote = await call('PATCH', `/principals/${admin.principalId}`, bearer(admin.token), { roles: ['auditor'] });
      expectProblem(demote, 422, 'unprocessable');
      const me = await call('GET', '/me', bearer(admin.token));
      expect(me.json()).toMatchObject({ status: 'active', roles: ['admin'] });
      // Another admin may.
      const other = await api.tokenFor('admin');
      const byOther = await call('PATCH', `/principals/${other.principalId}`, bearer(admin.token), { status: 'disabled' });
      expect(byOther.statusCode).toBe(200);
      expectProblem(await call('GET', '/me', bearer(other.token)), 401);
    });

    it('lists keys without tokens, secrets or hashes', async () => {
      const principalId = await newPrincipal(['staff']);
      const keys = [await newKey(principalId, { label: 'one' }), await newKey(principalId, { label: 'two', expiresAt: new Date(Date.now() + 86_400_000).toISOString() })];
      expect((await call('GET', '/me', bearer(keys[0].token))).statusCode).toBe(200);
      const res = await call('GET', `/principals/${principalId}/api-keys`, bearer(admin.token));
      expect(res.statusCode).toBe(200);
      const items = res.json().items as Record<string, unknown>[];
      expect(items.map((k) => k.keyId).sort()).toEqual(keys.map((k) => k.keyId).sort());
      const allowed = ['keyId', 'principalId', 'label', 'createdAt', 'createdBy', 'expiresAt', 'revokedAt', 'lastUsedAt'];
      for (const item of items) expect(Object.keys(item).filter((k) => !allowed.includes(k))).toEqual([]);
      for (const key of keys) {
        const secret = key.token.split('_').slice(2).join('_');
        expect(res.body).not.toContain(key.token);
        expect(res.body).not.toContain(secret);
        expect(res.body).not.toContain(createHash('sha256').update(secret).digest('hex'));
      }
      expect(res.body).not.toMatch(/secretHash|token/i);
    });

    it('answers a malformed Authorization header with a 401 problem that does not echo it', async () => {
      const principalId = await newPrincipal(['staff']);
      const { token } = await newKey(principalId);
      expect((await call('GET', '/me', bearer(token))).statusCode).toBe(200);
      const malformed = [
        'Basic dXNlcjpwYXNzd29yZA==',
        'Bearer',
        'Bearer ',
        token,
        `Token ${token}`,
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token} ${token}`,
        `Bearer ${token.replace(/_([^_]+)$/, '_' + 'A'.repeat(43))}`,
        'Bearer cfk_AAAAAAAAAAAAAAAA_',
        `Bearer ${'x'.repeat(5000)}`,
      ];
      for (const header of malformed) {
        const res = await call('GET', '/me', { authorization: header });
        const problem = expectProblem(res, 401, 'unauthenticated');
        expect(res.body).not.toContain(token);
        expect(problem.detail).toMatch(/Bearer/);
      }
      expectProblem(await call('GET', '/me'), 401, 'unauthenticated');
      // The scheme name is case-insensitive (RFC 9110), and extra spaces around the key are tolerated.
      for (const header of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token} `]) {
        expect((await call('GET', '/me', { authorization: header })).statusCode).toBe(200);
      }
    });
  });

  describe('rate limiting', () => {
    let limited: TestApi;

    beforeAll(async () => {
      limited = await startTestApi({ rateLimit: 5 });
    });

    afterAll(async () => {
      await limited?.close();
    });

    it('limits each principal on its own, answering 429 problem+json', async () => {
      const first = await limited.tokenFor('staff');
      const second = await limited.tokenFor('staff');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await limited.app.inject({ method: 'GET', url: '/me', headers: bearer(first.token) })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const sixth = await limited.app.inject({ method: 'GET', url: '/me', headers: bearer(first.token) });
      expectProblem(sixth, 429, 'rate-limited');
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
      // Another principal, from the same address, still gets in.
      const other = await limited.app.inject({ method: 'GET', url: '/me', headers: bearer(second.token) });
      expect(other.statusCode).toBe(200);
      expect(other.json().id).toBe(second.principalId);
      // The refusal is in the access log.
      const entry = await eventually(async () => (await limited.stores.accessLog.query({ principalId: first.principalId, limit: 10 })).find((e) => e.status === 429));
      expect(entry).toMatchObject({ route: '/me', outcome: 'rejected', requestId: sixth.headers['x-request-id'] });
    });

    it('slows down a flood of bad credentials from one address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await limited.app.inject({ method: 'GET', url: '/me', headers: bearer(`cfk_${'A'.repeat(16)}_${'b'.repeat(43)}`) })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
      // A valid key from the same address is still served: only failures are counted.
      const good = await limited.tokenFor('auditor');
      expect((await limited.app.inject({ method: 'GET', url: '/me', headers: bearer(good.token) })).statusCode).toBe(200);
    });
  });

  describe('headers and request ids', () => {
    it('sends security headers on successes, problems and unknown routes', async () => {
      const responses = [
        await call('GET', '/me', bearer(admin.token)),
        await call('GET', '/me'),
        await call('GET', '/no-such-route', bearer(admin.token)),
        await call('POST', '/principals', bearer(admin.token), { kind: 'alien' }),
        await call('GET', '/openapi.json'),
      ];
      expect(responses.map((r) => r.statusCode)).toEqual([200, 401, 404, 400, 200]);
      for (const res of responses) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        const csp = String(res.headers['content-security-policy'] ?? '');
        expect(csp).toContain("default-src 'self'");
        expect(res.headers['x-frame-options'] !== undefined || /frame-ancestors/.test(csp)).toBe(true);
        expect(res.headers['strict-transport-security']).toBeDefined();
        expect(res.headers['x-powered-by']).toBeUndefined();
        expect(res.headers['x-request-id']).toBeDefined();
      }
    });

    it('echoes the request id in the header and in the problem', async () => {
      const res = await call('GET', '/me');
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.json().requestId).toBe(res.headers['x-request-id']);
      const again = await call('GET', '/me');
      expect(again.headers['x-request-id']).not.toBe(res.headers['x-request-id']);
    });

    it('reuses a client-sent x-request-id with safe characters, and replaces an unsafe one', async () => {
      const safe = 'trace-7f3a_01.b:c';
      const ok = await call('GET', '/me', { ...bearer(admin.token), 'x-request-id': safe });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-request-id']).toBe(safe);
      const failed = await call('GET', '/principals/prn_missing', { ...bearer(admin.token), 'x-request-id': safe });
      expect(expectProblem(failed, 404).requestId).toBe(safe);
      const logged = await eventually(async () => (await api.stores.accessLog.query({ principalId: admin.principalId, resourceId: 'prn_missing', limit: 5 }))[0]);
      expect(logged.requestId).toBe(safe);

      for (const unsafe of ['bad id', '<script>alert(1)</script>', 'a'.repeat(65), 'line\u00e9break', '']) {
        const res = await call('GET', '/me', { 'x-request-id': unsafe });
        expect(res.headers['x-request-id']).toMatch(UUID);
        expect(res.json().requestId).toBe(res.headers['x-request-id']);
      }
    });
  });

  describe('API documentation', () => {
    it('publishes an OpenAPI document listing every protected route with bearer security and its roles', async () => {
      const res = await call('GET', '/openapi.json');
      expect(res.statusCode).toBe(200);
      const doc = res.json() as {
        openapi: string;
        paths: Record<string, Record<string, { security?: unknown; description?: string }>>;
        components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
      };
      expect(doc.openapi).toMatch(/^3\./);
      const schemes = Object.entries(doc.components.securitySchemes).filter(([, s]) => s.type === 'http' && s.scheme === 'bearer');
      expect(schemes).toHaveLength(1);
      const [schemeName] = schemes[0];

      const missing: string[] = [];
      const protectedRoutes = api.app.routeRoles.filter((r) => r.roles !== 'public');
      expect(protectedRoutes.length).toBeGreaterThan(15);
      for (const route of protectedRoutes) {
        const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        // A prefix's `/` route answers both with and without the trailing slash; the document lists it with the slash.
        const operation = doc.paths[path]?.[route.method.toLowerCase()] ?? doc.paths[`${path}/`]?.[route.method.toLowerCase()];
        if (!operation) {
          missing.push(`${route.method} ${route.url}: not documented`);
          continue;
        }
        expect(operation.security).toEqual([{ [schemeName]: [] }]);
        for (const role of route.roles as readonly string[]) {
          if (!operation.description?.includes(role)) missing.push(`${route.method} ${route.url}: role ${role} not in description`);
        }
      }
      expect(missing).toEqual([]);
    });

    it('serves the docs page as HTML without credentials', async () => {
      let res = await call('GET', '/docs');
      if (res.statusCode >= 300 && res.statusCode < 400) res = await call('GET', String(res.headers.location));
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toContain('text/html');
      expect(res.body).toMatch(/<html/i);
    });
  });

  describe('access log query API', () => {
    let auditor: { token: string; principalId: string };
    let a: { token: string; principalId: string };
    let b: { token: string; principalId: string };
    let targets: string[];
    const byA: string[] = [];
    const byB: string[] = [];
    let tMid: Date;

    /** Makes a request and waits until its access-log entry is written (it is written after the response). */
    async function logged(who: { token: string; principalId: string }, url: string): Promise<string> {
      const res = await call('GET', url, bearer(who.token));
      expect(res.statusCode).toBeLessThan(500);
      const requestId = String(res.headers['x-request-id']);
      await eventually(async () => ((await api.stores.accessLog.query({ principalId: who.principalId, limit: 500 })).some((e) => e.requestId === requestId) ? true : undefined));
      return requestId;
    }

    const read = async (query: string) => {
      const res = await call('GET', `/access-log?${query}`, bearer(auditor.token));
      expect(res.statusCode).toBe(200);
      return res.json() as { items: { id: string; at: string; requestId: string; principalId?: string; resourceIds: string[]; route: string }[]; next?: string };
    };

    beforeAll(async () => {
      auditor = await api.tokenFor('auditor');
      a = await api.tokenFor('admin');
      b = await api.tokenFor('admin');
      targets = [
        (await api.stores.principals.create({ kind: 'system', name: 'Target one', roles: ['system'], createdBy: 'test' })).id,
        (await api.stores.principals.create({ kind: 'system', name: 'Target two', roles: ['system'], createdBy: 'test' })).id,
      ];
      byA.push(await logged(a, `/principals/${targets[0]}`));
      byB.push(await logged(b, `/principals/${targets[0]}`));
      byA.push(await logged(a, `/principals/${targets[1]}`));
      await sleep(30);
      tMid = new Date();
      await sleep(30);
      byB.push(await logged(b, '/me'));
      byA.push(await logged(a, `/principals/${targets[0]}/api-keys`));
      byA.push(await logged(a, '/me'));
    });

    it('filters by principal, newest first', async () => {
      const pageA = await read(`principalId=${a.principalId}`);
      expect(pageA.items.map((e) => e.requestId)).toEqual([...byA].reverse());
      expect(pageA.items.every((e) => e.principalId === a.principalId)).toBe(true);
      const times = pageA.items.map((e) => Date.parse(e.at));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      expect(pageA.next).toBeUndefined();
      const pageB = await read(`principalId=${b.principalId}`);
      expect(pageB.items.map((e) => e.requestId)).toEqual([...byB].reverse());
    });

    it('filters by resource id', async () => {
      const page = await read(`resourceId=${targets[0]}`);
      expect(page.items.map((e) => e.requestId)).toEqual([byA[2], byB[0], byA[0]]);
      expect(page.items.every((e) => e.resourceIds.includes(targets[0]))).toBe(true);
      const onlyB = await read(`resourceId=${targets[0]}&principalId=${b.principalId}`);
      expect(onlyB.items.map((e) => e.requestId)).toEqual([byB[0]]);
      expect((await read(`resourceId=${targets[1]}`)).items.map((e) => e.requestId)).toEqual([byA[1]]);
    });

    it('filters by time: from inclusive, to exclusive', async () => {
      const before = await read(`principalId=${a.principalId}&to=${tMid.toISOString()}`);
      expect(before.items.map((e) => e.requestId)).toEqual([byA[1], byA[0]]);
      const after = await read(`principalId=${a.principalId}&from=${tMid.toISOString()}`);
      expect(after.items.map((e) => e.requestId)).toEqual([byA[3], byA[2]]);
      const window = await read(`from=${new Date(tMid.getTime() - 10).toISOString()}&to=${new Date(tMid.getTime() + 10).toISOString()}`);
      expect(window.items).toEqual([]);
      const bad = await call('GET', '/access-log?from=yesterday', bearer(auditor.token));
      expect(expectProblem(bad, 400, 'validation').errors).toEqual([expect.objectContaining({ field: 'querystring.from' })]);
    });

    it('pages with limit and the `next` cursor: disjoint pages covering every entry', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await read(`principalId=${a.principalId}&limit=2${cursor ? `&before=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((e) => e.requestId));
        cursor = page.next;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...byA].reverse());
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('logs the auditor reading the access log', async () => {
      const res = await call('GET', `/access-log?principalId=${a.principalId}&limit=1`, bearer(auditor.token));
      expect(res.statusCode).toBe(200);
      const requestId = res.headers['x-request-id'];
      const own = await eventually(async () => {
        const page = await read(`principalId=${auditor.principalId}&limit=200`);
        return page.items.find((e) => e.requestId === requestId);
      });
      expect(own).toMatchObject({ principalId: auditor.principalId, roles: ['auditor'], method: 'GET', route: expect.stringMatching(/^\/access-log\/?$/), status: 200, outcome: 'allowed' });
    });
  });
});
