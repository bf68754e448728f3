// `npm run build`, after `tsc -p tsconfig.build.json` has compiled the runtime code to dist/:
// copies what the compiled code reads from beside itself (the server's static assets, the
// inspection thread's entry) and writes the workflow bundle the worker loads at start-up
// (dist/workflow-bundle.js), so that a production worker neither bundles nor needs the sources.
// Plain JavaScript: it runs before anything is compiled, and without tsx.
import { cp, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/** Non-TypeScript files the compiled code finds relative to its own module. */
const ASSETS = ['server/static', 'app/inspection/worker.mjs'];

for (const asset of ASSETS) {
  const target = path.join(dist, asset);
  await rm(target, { recursive: true, force: true });
  await cp(path.join(root, asset), target, { recursive: true });
}

const quiet = () => undefined;
const started = Date.now();
const bundle = await bundleWorkflowCode({
  workflowsPath: path.join(dist, 'workflows/index.js'),
  logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error },
});
const bundlePath = path.join(dist, 'workflow-bundle.js');
await writeFile(bundlePath, bundle.code);
const { size } = await stat(bundlePath);
process.stdout.write(
  `dist/ ready: assets ${ASSETS.join(', ')}; workflow bundle ${(size / 1024).toFixed(0)} KiB in ${Date.now() - started} ms\n`,
);
