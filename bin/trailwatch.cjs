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
// On Node 20 the AWS SDK prints a 9-line notice ("versions published after the first week of
// January 2027 will require node >=22") the first time a client is built, on every command. The
// CLI supports Node >=20.19 (package.json engines) and says so once, in the README's install
// section; the notice is turned off with the SDK's own switch. Set it to false to see it again.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
require(bundle)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
