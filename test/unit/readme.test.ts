import fs from 'node:fs';
import path from 'node:path';
import { settings } from '../../platform/config';

/** The README's configuration table is the user's reference: it must name every variable the app reads. */
describe('README configuration table', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it.each(Object.values(settings).map((s) => [s.env, s]))('documents %s with its default', (env, setting) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${env}\` |`));
    expect(row).toBeDefined();
    if ('default' in setting && setting.default !== undefined) expect(row).toContain(`\`${setting.default}\``);
  });
});
