// Lint rules for the whole project, plus the ones that keep workflow code deterministic.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', '.cache/', 'artifacts/', 'scratch/', 'server/static/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Fastify's plugin and hook APIs are async by contract, awaiting or not.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Migrations are frozen in time: they take Kysely<any> and never import application types.
    files: ['db/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Layers: each folder imports only the ones below it, so that dependencies run one way
  // (docs/architecture.md). Cycles are caught by `npm run cycles` (madge), run by `npm test`.
  //   i18n, connectors          nothing of ours
  //   domain                    i18n (types: the catalogue a message is written from)
  //   db                        domain, i18n
  //   app                       db, domain, i18n, connectors, config
  //   activities, server        app and the layers below; never each other
  //   workflows                 domain, activities as types
  //   temporal                  workflows, app's ports, domain
  //   runtime, entry points     everything: the composition root
  ...layer(
    'i18n/**/*.ts',
    ['domain', 'db', 'app', 'connectors', 'activities', 'server', 'workflows', 'temporal', 'runtime'],
    'The catalogues import nothing of ours.',
  ),
  ...layer(
    'connectors/**/*.ts',
    ['i18n', 'domain', 'db', 'app', 'activities', 'server', 'workflows', 'temporal', 'runtime'],
    'Connectors import nothing of ours: they convert external shapes at their edge.',
  ),
  ...layer(
    'domain/**/*.ts',
    ['db', 'app', 'connectors', 'activities', 'server', 'workflows', 'temporal', 'runtime'],
    'The domain is pure rules and types: it imports nothing of ours but the catalogues.',
  ),
  ...layer(
    'db/**/*.ts',
    ['app', 'connectors', 'activities', 'server', 'workflows', 'temporal', 'runtime'],
    'db/ only queries: it imports the domain and nothing above it.',
  ),
  ...layer(
    'app/**/*.ts',
    ['activities', 'server', 'workflows', 'temporal', 'runtime'],
    'The app (use cases) is called by server and activities, never the other way.',
  ),
  ...layer(
    'activities/**/*.ts',
    ['server', 'workflows', 'temporal', 'runtime'],
    'Activities call app/, never server/ (move the shared rule to app/ or domain/).',
  ),
  ...layer(
    'server/**/*.ts',
    ['activities', 'workflows', 'temporal', 'runtime'],
    'The server calls app/, never activities or workflows (the WorkflowGateway port is in app/).',
  ),
  ...layer(
    'temporal/**/*.ts',
    ['db', 'connectors', 'activities', 'server', 'runtime'],
    'The Temporal gateway only starts and signals workflows.',
  ),
  {
    // Workflow code is replayed: no Node built-ins, no clocks or randomness outside the SDK,
    // and activities only as types.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must not use Node built-ins.' })),
          patterns: [
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Import activities as types only.',
            },
            {
              group: [
                '**/db/**',
                '**/server/**',
                '**/connectors/**',
                '**/app/**',
                '**/temporal/**',
                '**/runtime/**',
                '**/i18n/**',
              ],
              message: 'Workflows only talk to the world through activities.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process', 'fetch'],
    },
  },
);

/** One layer's rule: no import, type or value, of the named folders (or of the root's config). */
function layer(files, forbidden, message) {
  const groups = forbidden.flatMap((folder) => [`**/${folder}/**`, `**/${folder}`]);
  const configAllowed = ['app', 'activities', 'server'].some((f) => files.startsWith(`${f}/`));
  const patterns = [{ group: groups, message }];
  if (!configAllowed)
    patterns.push({
      group: ['**/config.js', '**/config.ts'],
      message: 'Only app/, activities/, server/ and the composition root read the configuration.',
    });
  return [{ files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } }];
}
