/**
 * Documents kept as evidence (a certificate, a questionnaire attachment, a certificate of deletion) are recorded by
 * their metadata only: the bytes live in the document store, and the SHA-256 ties the record to exactly those bytes.
 */
const SHA256 = /^[0-9a-f]{64}$/;
const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+$/;
const FIELDS = ['name', 'sha256', 'contentType'];

/** Why a value is not an `EvidenceFile`, or undefined when it is. */
export function evidenceFileProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a document: { name, sha256, contentType? }';
  const doc = value as Record<string, unknown>;
  const extra = Object.keys(doc).filter((k) => !FIELDS.includes(k));
  if (extra.length) return `a document has only name, sha256 and contentType; not ${extra.join(', ')}`;
  if (typeof doc.name !== 'string' || doc.name.trim().length === 0 || doc.name.length > 255) return 'the document needs a name of at most 255 characters';
  if (typeof doc.sha256 !== 'string' || !SHA256.test(doc.sha256)) return 'sha256 must be 64 lowercase hexadecimal digits';
  if (doc.contentType !== undefined && (typeof doc.contentType !== 'string' || !CONTENT_TYPE.test(doc.contentType))) return 'contentType must be a media type such as application/pdf';
  return undefined;
}
