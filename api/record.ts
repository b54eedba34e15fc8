import type { FastifyRequest } from 'fastify';
import type { Canonicalisable } from '../domain/canonical-json';

/**
 * Records a change made directly through the API (not by a workflow) in the evidence trail, with the calling
 * principal as actor. The key is derived from what changed, so a retried request records it once.
 */
export async function recordChange(
  request: FastifyRequest,
  change: { key: string; action: string; resource: { type: string; id: string }; data: Record<string, Canonicalisable | undefined> },
): Promise<void> {
  const principal = request.principal;
  await request.server.deps.stores.evidence.append({
    ...change,
    at: new Date(),
    actor: principal ? { id: principal.id, type: principal.kind === 'person' ? 'person' : 'system' } : { id: 'system:api', type: 'system' },
    data: { ...change.data, requestId: String(request.id) },
  });
}
