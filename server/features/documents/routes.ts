// Document collection: the client's cases and deposits (plain forms that work without
// JavaScript, the same routes answer JSON to the page's script), the splitting zone, and the
// staff review. Who may see what is decided by one function, caseAccessFor (db/contributors.ts):
// the main client sees everything, a contributor only their role's pieces and own files, as their
// permissions allow; anything else is "not found" (404, so that existence does not leak).
// The routes are in client-routes.ts, deposit-routes.ts and staff-routes.ts; this plugin adds
// them with pdf.js, which the client's case page needs.
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { withAccess } from '../../plugins/access.js';
import { clientCase } from './client-case.js';
import { clientCaseRoutes } from './client-routes.js';
import { depositRoutes } from './deposit-routes.js';
import { staffCaseRoutes } from './staff-routes.js';

export default async function documentRoutes(app: FastifyInstance) {
  // pdf.js, from npm, served from here (no CDN): the page renders thumbnails with it.
  const pdfjsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'build');
  await withAccess(app, 'public', async (scope) => {
    await scope.register(fastifyStatic, {
      root: pdfjsDir,
      prefix: '/static/pdfjs/',
      decorateReply: false,
      maxAge: '1d',
      allowedPath: (pathName) => pathName === '/pdf.min.mjs' || pathName === '/pdf.worker.min.mjs',
    });
  });

  const cases = clientCase(app);
  // ---- Client space ----
  clientCaseRoutes(app, cases);
  depositRoutes(app, cases);
  // ---- Back-office ----
  staffCaseRoutes(app);
}
