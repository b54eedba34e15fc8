import type { FastifyInstance } from 'fastify';
import { Problem } from '../schemas';
import accessLog from './access-log';
import approvals from './approvals';
import consentImport from './consent-import';
import consentPropagation from './consent-propagation';
import consents from './consents';
import preferences from './preferences';
import purposes from './purposes';
import subjects from './subjects';
import deliveries from './deliveries';
import evidence from './evidence';
import health from './health';
import incidents from './incidents';
import vendorPortal from './vendor-portal';
import vendors from './vendors';
import principals from './principals';
import webhookEndpoints from './webhook-endpoints';

export default async function routes(app: FastifyInstance, options: { ready?: () => Promise<string | undefined> }) {
  app.addSchema(Problem);
  await app.register(health, { ready: options.ready });
  await app.register(principals);
  await app.register(accessLog, { prefix: '/access-log' });
  await app.register(evidence, { prefix: '/evidence' });
  await app.register(webhookEndpoints, { prefix: '/webhook-endpoints' });
  await app.register(deliveries, { prefix: '/deliveries' });
  await app.register(approvals, { prefix: '/approvals' });
  await app.register(subjects, { prefix: '/subjects' });
  await app.register(purposes, { prefix: '/purposes' });
  await app.register(consents, { prefix: '/consents' });
  await app.register(consentImport, { prefix: '/consents' });
  await app.register(consentPropagation, { prefix: '/consents' });
  await app.register(preferences);
  await app.register(incidents, { prefix: '/incidents' });
  await app.register(vendors, { prefix: '/vendors' });
  await app.register(vendorPortal, { prefix: '/vendor-portal' });
}
