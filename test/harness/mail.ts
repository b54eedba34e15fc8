/**
 * Reads messages captured by the SMTP receiver the way a mail client would: headers unfolded (and RFC 2047 words
 * decoded), multipart bodies split, and quoted-printable or base64 parts decoded. Links in the raw message may be
 * wrapped with soft line breaks and have `=` written as `=3D`; links in the decoded text part are whole.
 */
export interface ParsedMail {
  subject: string;
  messageId: string;
  to: string[];
  /** The decoded text/plain part. */
  text: string;
  /** Every http(s) URL in the text part, in order. */
  links: string[];
  raw: string;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

export function parseMail(raw: string, to: string[] = []): ParsedMail {
  const top = splitPart(raw);
  const text = textOf(top) ?? '';
  return {
    subject: decodeWords(top.headers.get('subject') ?? ''),
    messageId: (top.headers.get('message-id') ?? '').trim(),
    to,
    text,
    links: text.match(/https?:\/\/\S+/g) ?? [],
    raw,
  };
}

/** The link on the line after a label such as "Confirm:" in the text part. */
export function linkAfter(mail: ParsedMail, label: string): string {
  const lines = mail.text.split(/\r?\n/);
  const at = lines.findIndex((line) => line.trim() === label);
  const link = at >= 0 ? lines[at + 1]?.trim() : undefined;
  if (!link || !/^https?:\/\//.test(link)) throw new Error(`no link after "${label}" in:\n${mail.text}`);
  return link;
}

/** `http://host/path?query` → `/path?query`, for app.inject. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

function splitPart(raw: string): Part {
  const normalised = raw.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = end >= 0 ? normalised.slice(0, end) : normalised;
  const body = end >= 0 ? normalised.slice(end + 2) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function textOf(part: Part): string | undefined {
  const type = part.headers.get('content-type') ?? 'text/plain';
  if (/^multipart\//i.test(type)) {
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (!boundary) return undefined;
    const pieces = part.body.split(`--${boundary}`).slice(1);
    for (const piece of pieces) {
      if (piece.startsWith('--')) break;
      const found = textOf(splitPart(piece.replace(/^\n/, '')));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!/^text\/plain/i.test(type)) return undefined;
  return decodeBody(part.body, part.headers.get('content-transfer-encoding') ?? '7bit');
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i += 1) {
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`), as used for non-ASCII subjects. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_all, _charset: string, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}
