import { defineConfig } from 'vitest/config';

// Two tiers. `unit`: pure rules, use cases with in-memory ports, views, workflows with mocked
// activities; no service is started (`npm run test:unit`). `integration`: everything else, against
// a real PostgreSQL, Temporal, Redmine, SMTP server and browser (started once by the global set-up).
// `npm test` runs both.
export default defineConfig({
  test: {
    // Temporal's native add-on needs processes, not threads.
    pool: 'forks',
    maxWorkers: 2,
    allowOnly: false,
    passWithNoTests: false,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/**', 'node_modules/**'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
