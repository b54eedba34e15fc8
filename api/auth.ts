import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PrincipalStore, type Principal } from '../store/principals';
import { HttpProblem, problems } from './problem';

/**
 * Authentication turns a request into a principal; authorisation checks the principal's roles against the roles
 * the route declares. Authenticators are tried in order, so OIDC/JWT can be added beside API keys later without
 * touching a route.
 */
export interface Authenticator {
  /** The principal the credentials name; undefined when this authenticator does not recognise them. */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
}

export function apiKeyAuthenticator(app: FastifyInstance): Authenticator {
  const { apiKeys, principals } = app.deps.stores;
  const touched = new UseRecorder(60_000);
  return {
    async authenticate(request) {
      // The scheme name is case-insensitive (RFC 9110 §11.1): `bearer <key>` is as valid as `Bearer <key>`.
      const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
      if (!match) return undefined;
      const key = await apiKeys.verify(match[1]);
      if (!key) return undefined;
      const principal = await principals.get(key.principalId);
      if (!principal || !PrincipalStore.isActive(principal)) return undefined;
      // Last use is kept to the minute, not per request: a write on every call would cost more than it tells.
      if (touched.due(key.keyId)) {
        void apiKeys.touch(key.keyId).catch((err: unknown) => request.log.warn({ err }, 'could not record key use'));
      }
      return principal;
    },
  };
}

export interface RouteRoles {
  method: string;
  url: string;
  roles: readonly string[] | 'public';
}

/**
 * Failed authentications per client address in the current minute. The per-principal rate limit runs after
 * authentication, so without this a flood of bad keys would never be slowed down.
 */
class FailedAttempts {
  private readonly counts = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly perMinute: number) {}

  /** Counts one failure; true when the address is over its limit. */
  exceeded(address: string, now = Date.now()): boolean {
    const entry = this.counts.get(address);
    if (!entry || entry.resetAt <= now) {
      if (this.counts.size > 10_000) this.counts.clear(); // bounded memory under a spray of addresses
      this.counts.set(address, { count: 1, resetAt: now + 60_000 });
      return false;
    }
    entry.count += 1;
    return entry.count > this.perMinute;
  }
}

export default fp(async function authorisation(app: FastifyInstance, options: { authenticators: Authenticator[] }) {
  const failures = new FailedAttempts(app.deps.config.rateLimit);
  const table: RouteRoles[] = [];
  app.decorate('routeRoles', table);
  app.addHook('onRoute', (route) => {
    if (!route.config?.roles) {
      throw new Error(`${route.method} ${route.url} declares no roles: every route must say who may call it (default deny)`);
    }
    for (const method of [route.method].flat()) if (method !== 'HEAD') table.push({ method, url: route.url, roles: route.config.roles });
  });

  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config?.roles;
    if (roles === 'public' || request.is404) return;
    for (const authenticator of options.authenticators) {
      request.principal = await authenticator.authenticate(request);
      if (request.principal) break;
    }
    if (!request.principal) {
      if (failures.exceeded(request.ip)) throw new HttpProblem(429, 'rate-limited', 'Too many requests', 'Too many failed authentications from this address; wait a minute.');
      throw problems.unauthenticated();
    }
    const allowed = roles ?? [];
    if (!request.principal.roles.some((role) => allowed.includes(role))) throw problems.forbidden(allowed);
  });
});

/**
 * Which keys' use is due to be recorded again: at most once a `everyMs` per key and process. Forgets all keys at
 * once when it holds too many, so memory stays bounded by the keys seen in one interval.
 */
class UseRecorder {
  private readonly last = new Map<string, number>();

  constructor(private readonly everyMs: number) {}

  due(keyId: string, now = Date.now()): boolean {
    const last = this.last.get(keyId);
    if (last !== undefined && now - last < this.everyMs) return false;
    if (this.last.size >= 100_000) this.last.clear();
    this.last.set(keyId, now);
    return true;
  }
}
