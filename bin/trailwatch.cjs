#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const bundle = path.join(__dirname, '..', 'dist', 'trailwatch.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write(
    'trailwatch: the CLI is not built yet; run `npm run build` (npm ci does it for you)\n',
  );
  process.exit(2);
}
require(bundle)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
