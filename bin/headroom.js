#!/usr/bin/env node
// The `headroom` command: the scanner is bundled into dist/cli.js by `npm run build`.
'use strict';
let cli;
try {
  cli = require('../dist/cli.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli\.js/.test(String(e.message))) {
    process.stderr.write('headroom: dist/cli.js is missing: run "npm run build" first.\n');
    process.exit(2);
  }
  throw e;
}
cli.main();
