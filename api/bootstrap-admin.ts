import type { Stores } from '../store';
import { isDuplicateKey } from '../platform/mongo';

const BOOTSTRAP_ID = 'prn_bootstrap-admin';

/**
 * On a database with no principals, creates the first admin and returns its API key — once. The fixed id makes
 * two API processes starting together create it only once.
 */
export async function ensureBootstrapAdmin(stores: Stores): Promise<string | undefined> {
  if ((await stores.principals.count()) > 0) return undefined;
  try {
    await stores.principals.create({ id: BOOTSTRAP_ID, kind: 'person', name: 'Bootstrap admin', roles: ['admin'], createdBy: 'system:bootstrap' });
  } catch (err) {
    if (isDuplicateKey(err)) return undefined;
    throw err;
  }
  const { token, key } = await stores.apiKeys.create({ principalId: BOOTSTRAP_ID, label: 'bootstrap', createdBy: 'system:bootstrap' });
  await stores.evidence.append({
    key: `principal.created:${BOOTSTRAP_ID}`,
    at: new Date(),
    actor: { id: 'system:bootstrap', type: 'system' },
    action: 'principal.created',
    resource: { type: 'principal', id: BOOTSTRAP_ID },
    data: { kind: 'person', roles: ['admin'], keyId: key.keyId },
  });
  return token;
}
