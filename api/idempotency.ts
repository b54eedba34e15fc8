import type { Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { canonicalJson, type Canonicalisable } from '../domain/canonical-json';
import { newId } from '../store/ids';
import { problems } from './problem';

/**
 * Safe retries for requests that start a process. The same principal replaying the same Idempotency-Key names the
 * same workflow, so Temporal itself refuses to start a second one; the id is a hash, so the key never appears in
 * Temporal. The request's hash goes into the workflow's memo, so a key reused with a different body is refused.
 */
export function processId(prefix: string, principalId: string, key: string | undefined): string {
  return key ? `${prefix}_${createHash('sha256').update(`${principalId}\u0000${key}`).digest('base64url').slice(0, 22)}` : newId(prefix, 16);
}

export function requestHash(body: Canonicalisable): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export async function assertSameRequest(temporal: Client, workflowId: string, hash: string): Promise<void> {
  const description = await temporal.workflow.getHandle(workflowId).describe();
  const memo = (await description.memo) as { requestHash?: string } | undefined;
  if (memo?.requestHash !== hash) throw problems.conflict('This Idempotency-Key was already used with a different request body.');
}
