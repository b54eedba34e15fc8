#!/usr/bin/env node
'use strict';
// `npm start` (whole stack), `npm run api`, `npm run worker`. Plain Node so it can run on a fresh clone:
// installs dependencies if missing, provisions the server binaries if the embedded stack needs them,
// compiles the TypeScript, then hands over to the compiled entry point.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const role = process.argv[2] ?? 'stack';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function say(message) {
  process.stderr.write(`[start] ${message}\n`);
}

function ensureDependencies() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  say('installing dependencies (npm ci)');
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

function build() {
  say('compiling TypeScript');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

module.exports = { ensureDependencies, build };

if (require.main === module) {
  try {
    process.chdir(root);
    ensureDependencies();
    build();
    if (role === "--build-only") process.exit(0);
    if (role === 'api') require(path.join(root, 'dist', 'api', 'main.js'));
    else if (role === 'worker') require(path.join(root, 'dist', 'worker', 'main.js'));
    else {
      // Validate the configuration before provisioning, which can mean minutes of building on a fresh machine:
      // a bad value exits here (code 78, every problem listed), exactly as it would in the stack itself.
      require(path.join(root, 'dist', 'platform', 'process.js')).startProcess('complyflow');
      const needsBinaries = !process.env.TEMPORAL_ADDRESS || !process.env.MONGODB_URI;
      const binaries = needsBinaries ? require('./provision.js').provisionAll() : {};
      require(path.join(root, 'dist', 'scripts', 'stack.js'))
        .runStack(binaries)
        .catch((err) => {
          say(`failed: ${err.message}`);
          process.exit(1);
        });
    }
  } catch (err) {
    say(`failed: ${err.message}`);
    process.exit(1);
  }
}
