import { Writable } from 'node:stream';
import { REDACTED_PATHS, createLogger } from '../../platform/logger';

/** A logger writing into memory; `output()` is everything written so far. */
function capture(level = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ level, name: 'test' }, { write: (line: string) => void lines.push(line) });
  return { logger, output: () => lines.join(''), records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SECRETS = {
  bearer: 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig-abc123',
  apiKey: 'cfk_live_9f8e7d6c5b4a',
  secret: 'webhook-signing-secret-0xdeadbeef',
  password: 'correct horse battery staple',
  token: 'reset-token-6a1b2c',
  email: 'alice.wonderland@example.com',
  phone: '+44 20 7946 0958',
  name: 'Alice Wonderland',
  cookie: 'session=s%3Aabcdef.ghijkl',
  xApiKey: 'cfk_header_5555',
  ip: '203.0.113.77',
};

describe('createLogger', () => {
  it('writes JSON lines with the service name, level and ISO time', () => {
    const { logger, records } = capture();
    logger.info({ approvalId: 'apr_1' }, 'approval started');
    const [record] = records();
    expect(record).toMatchObject({ level: 30, service: 'test', name: 'test', approvalId: 'apr_1', msg: 'approval started' });
    expect(record.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('respects the level', () => {
    const { logger, records } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(records().map((r) => r.msg)).toEqual(['shown']);
  });

  it('redacts secrets and PII at the top level of a log object', () => {
    const { logger, output } = capture();
    logger.info(
      { authorization: SECRETS.bearer, apiKey: SECRETS.apiKey, secret: SECRETS.secret, password: SECRETS.password, token: SECRETS.token, email: SECRETS.email, phone: SECRETS.phone, approvalId: 'apr_keep' },
      'top level',
    );
    assertRedacted(output());
    expect(output()).toContain('apr_keep');
  });

  it('redacts request headers', () => {
    const { logger, output } = capture();
    logger.info({ req: { method: 'POST', url: '/approvals', headers: { authorization: SECRETS.bearer, cookie: SECRETS.cookie, 'x-api-key': SECRETS.xApiKey, accept: 'application/json' } } }, 'request');
    assertRedacted(output());
    expect(output()).toContain('application/json');
    logger.info({ res: { statusCode: 200, headers: { 'set-cookie': SECRETS.cookie } } }, 'response');
    expect(output()).not.toContain('ghijkl');
  });

  it('redacts nested PII: {user: {email}} and deeper', () => {
    const { logger, output, records } = capture();
    logger.info({ user: { id: 'prn_1', email: SECRETS.email, phone: SECRETS.phone, name: SECRETS.name } }, 'one level');
    logger.info({ req: { body: { subject: { email: SECRETS.email } } } }, 'three levels');
    logger.info({ principal: { contact: { phone: SECRETS.phone, ipAddress: SECRETS.ip } } }, 'two levels');
    logger.info({ webhook: { secret: SECRETS.secret }, mail: { to: SECRETS.email, recipient: SECRETS.email } }, 'misc');
    logger.info({ batch: { users: [{ email: SECRETS.email }, { email: SECRETS.email }] } }, 'array');
    assertRedacted(output());
    const [first] = records();
    expect(first.user).toEqual({ id: 'prn_1', email: '[redacted]', phone: '[redacted]', name: '[redacted]' });
  });

  it('does not change the object that was logged', () => {
    const { logger } = capture();
    const payload = { user: { email: SECRETS.email }, apiKey: SECRETS.apiKey };
    logger.info(payload, 'x');
    expect(payload).toEqual({ user: { email: SECRETS.email }, apiKey: SECRETS.apiKey });
  });

  it('redacts fields bound in a child logger', () => {
    const { logger, output } = capture();
    logger.child({ principal: { email: SECRETS.email } }).info({ token: SECRETS.token }, 'child');
    assertRedacted(output());
  });

  it('works with a Node stream as destination', async () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    });
    const logger = createLogger({ level: 'info', name: 'stream' }, stream);
    logger.info({ email: SECRETS.email }, 'to a stream');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text).toContain('to a stream');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(SECRETS.email);
  });

  it('lists each sensitive field at the top level and nested', () => {
    for (const path of ['email', '*.email', '*.*.email', 'authorization', '*.apiKey', '*["x-api-key"]', '["set-cookie"]']) {
      expect(REDACTED_PATHS).toContain(path);
    }
  });
});

function assertRedacted(output: string): void {
  expect(output).toContain('[redacted]');
  for (const [what, value] of Object.entries(SECRETS)) {
    expect({ what, leaked: output.includes(value) }).toEqual({ what, leaked: false });
  }
  // Fragments too: a partial leak (the token part of a bearer header, the user part of an address) is still a leak.
  for (const fragment of ['eyJhbGci', 'alice.wonderland', '7946', 'deadbeef']) expect(output).not.toContain(fragment);
}
