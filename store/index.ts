import type { Db } from 'mongodb';
import type { FieldCrypto } from '../platform/field-crypto';
import { AccessLogStore } from './access-log';
import { AccessReviewStore } from './access-reviews';
import { AuditStore } from './audits';
import { CleansingStore } from './cleansing';
import { CorrectiveActionStore } from './corrective-actions';
import { ConsentStore } from './consents';
import { PurposeStore } from './purposes';
import { SubjectStore } from './subjects';
import { ApiKeyStore } from './api-keys';
import { DeliveryStore } from './deliveries';
import { EvidenceStore } from './evidence';
import { IncidentStore } from './incidents';
import { VendorStore } from './vendors';
import { PrincipalStore } from './principals';
import { StaffStore } from './staff';
import { TrainingStore } from './training';
import { WebhookEndpointStore } from './webhook-endpoints';

/** Every collection's access object, built over one database connection. */
export function createStores(db: Db, crypto: FieldCrypto) {
  return {
    principals: new PrincipalStore(db, crypto),
    apiKeys: new ApiKeyStore(db),
    accessLog: new AccessLogStore(db, crypto),
    evidence: EvidenceStore.shared(db),
    webhookEndpoints: new WebhookEndpointStore(db, crypto),
    deliveries: new DeliveryStore(db, crypto),
    subjects: new SubjectStore(db, crypto),
    purposes: new PurposeStore(db),
    consents: new ConsentStore(db, crypto),
    incidents: new IncidentStore(db, crypto),
    vendors: new VendorStore(db, crypto),
    audits: new AuditStore(db),
    correctiveActions: new CorrectiveActionStore(db),
    cleansing: new CleansingStore(db, crypto),
    staff: new StaffStore(db, crypto),
    training: new TrainingStore(db),
    accessReviews: new AccessReviewStore(db),
  };
}

export type Stores = ReturnType<typeof createStores>;

/** Creates the indexes idempotency and queries rely on; safe to run at every start, from any process. */
export async function ensureIndexes(stores: Stores): Promise<void> {
  for (const store of Object.values(stores)) await store.ensureIndexes();
}
