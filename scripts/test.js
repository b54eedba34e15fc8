#!/usr/bin/env node
'use strict';
// `npm test`: dependencies, server binaries and a compiled build (the crash tests run the worker as a separate
// process from dist/), then every Jest project. Extra arguments go to Jest.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensureDependencies, build } = require('./start.js');
const { provisionAll } = require('./provision.js');

const root = path.resolve(__dirname, '..');
process.chdir(root);
try {
  ensureDependencies();
  provisionAll();
  build();
} catch (err) {
  process.stderr.write(`[test] ${err.message}\n`);
  process.exit(1);
}
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(process.execPath, [jest, '--runInBand', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
