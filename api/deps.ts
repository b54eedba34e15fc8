import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { Role } from '../domain/roles';
import type { Config } from '../platform/config';
import type { FieldCrypto } from '../platform/field-crypto';
import type { LinkSigner } from '../platform/links';
import type { Stores } from '../store';
import type { Principal } from '../store/principals';

/** Everything route handlers use, built once per process and reached through `app.deps`. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Db;
  crypto: FieldCrypto;
  temporal: Client;
  stores: Stores;
  /** Signs and checks the links sent to people (double opt-in, preference centre, one-click withdrawal). */
  links: LinkSigner;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles admitted to the route, or 'public'. A route without this is refused at start-up: default deny. */
    roles?: readonly Role[] | 'public';
  }
  interface FastifyRequest {
    principal?: Principal;
    /** On public routes opened with a signed link: the data subject the link was issued to (logged as the actor). */
    linkSubject?: string;
  }
  interface FastifyInstance {
    deps: AppDeps;
    /** Every route registered after authorisation, with the roles it admits (for the RBAC tests and docs). */
    routeRoles: import('./auth').RouteRoles[];
  }
}
