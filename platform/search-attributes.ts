import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every ComplyFlow workflow may set. Temporal stores them unencrypted, so they carry only
 * opaque ids, kinds and states — never PII. The embedded server registers them at start; against an external
 * cluster the worker checks at start-up that they exist. Importable from workflow code (no I/O).
 */
export const SA = {
  process: defineSearchAttributeKey('ComplyFlowProcess', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('ComplyFlowStatus', SearchAttributeType.KEYWORD),
  resourceId: defineSearchAttributeKey('ComplyFlowResourceId', SearchAttributeType.KEYWORD),
  dueAt: defineSearchAttributeKey('ComplyFlowDueAt', SearchAttributeType.DATETIME),
};

/** Name → server type, as `temporal server start-dev --search-attribute` and `temporal operator` spell them. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Datetime'> = {
  ComplyFlowProcess: 'Keyword',
  ComplyFlowStatus: 'Keyword',
  ComplyFlowResourceId: 'Keyword',
  ComplyFlowDueAt: 'Datetime',
};
