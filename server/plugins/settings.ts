// The settings every page needs (branding, languages, rows per page), read once per request
// from a short cache: one process saving them sees its change at once, others within seconds.
import fp from 'fastify-plugin';
import { getSettings, type Settings } from '../../db/settings.js';

const CACHE_MS = 3_000;

declare module 'fastify' {
  interface FastifyRequest {
    settings: Settings | null;
  }
  interface FastifyInstance {
    /** Forget the cached settings (after saving them). */
    settingsChanged(): void;
  }
}

export default fp(
  async (app) => {
    let cached: { value: Settings; at: number } | undefined;
    app.decorateRequest('settings', null);
    app.decorate('settingsChanged', () => {
      cached = undefined;
    });
    app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/static/') || request.url === '/health' || request.url === '/metrics') return;
      if (!cached || Date.now() - cached.at > CACHE_MS)
        cached = { value: await getSettings(app.deps.db), at: Date.now() };
      request.settings = cached.value;
    });
  },
  { name: 'settings', dependencies: ['deps'] },
);
