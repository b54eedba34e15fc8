/**
 * Remediation items: the fixes a vendor (or we) owe, most often the conditions of an approval. An item is done once
 * completed, overdue once its due instant has passed without completion, open otherwise. Due means "by then": at the
 * due instant itself the item is still open.
 */
import type { RemediationItem } from './types';

export type RemediationState = 'open' | 'overdue' | 'done';

export function remediationState(item: RemediationItem, now: string): RemediationState {
  if (item.completedAt) return 'done';
  return Date.parse(now) > Date.parse(item.dueAt) ? 'overdue' : 'open';
}

export interface RemediationStatus {
  open: number;
  overdue: number;
  done: number;
  items: Array<{ id: string; state: RemediationState; dueAt: string }>;
}

export function remediationStatus(items: readonly RemediationItem[], now: string): RemediationStatus {
  const status: RemediationStatus = { open: 0, overdue: 0, done: 0, items: [] };
  for (const item of items) {
    const state = remediationState(item, now);
    status[state] += 1;
    status.items.push({ id: item.id, state, dueAt: item.dueAt });
  }
  return status;
}
