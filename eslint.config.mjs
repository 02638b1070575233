// The workspace's lint rules, run by `npm test` (tools/lint) and `npm run lint`.
// Boundaries come from the Nx project tags in each project.json:
//   type:lib|app|tool      apps and tools compose libraries; libraries never import apps or tools
//   layer:base|data|model|engine   the layering docs/architecture.md draws
//   platform:any|node      platform:any libraries run in a browser, so they import no Node built-ins
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const NODE_ONLY = ['node:*', 'fs', 'fs/*', 'path', 'os', 'worker_threads', 'sharp', 'onnxruntime-node', 'h5wasm'];
// @imgcap/captioner is used through the entry point an import means (/model, /generation, /training, /bundle,
// /keras); its root keeps only the one-call path for users outside the workspace.
const CAPTIONER_ROOT = {
  name: '@imgcap/captioner',
  message: 'import the entry point you mean: @imgcap/captioner/model, /generation, /training, /bundle or /keras',
};
const NOT_IN_BROWSER = {
  paths: [CAPTIONER_ROOT],
  patterns: [{ group: NODE_ONLY, message: 'this code runs in the browser page; keep Node-only modules out of it' }],
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/reports', '.nx', 'local_runs', '**/.vitest-tmp', '**/fixtures/**'],
  },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Errors the compiler already reports, or idioms this codebase uses on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      // No-op callbacks (a silent logger, a stream error already reported elsewhere) are deliberate here.
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    // Project code (vitest configs at a project's root share one workspace-level file and are not project code).
    files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'apps/*/src/**/*.mjs', 'tools/**/*.mjs'],
    ignores: ['**/vitest.config.*'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // An optionalDependency of @imgcap/tracking; the rule reads only dependencies, devDependencies and peers.
          allow: ['@wandb/sdk'],
          banTransitiveDependencies: true,
          // Apps load an engine's package with import() so a tfjs-node server never loads ONNX Runtime (and back);
          // Node has no code splitting, so a static import of the same package elsewhere costs nothing.
          checkDynamicDependenciesExceptions: ['@imgcap/**'],
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
            {
              sourceTag: 'layer:base',
              notDependOnLibsWithTags: ['layer:base', 'layer:data', 'layer:model', 'layer:engine'],
            },
            { sourceTag: 'layer:data', onlyDependOnLibsWithTags: ['layer:base'] },
            { sourceTag: 'layer:model', onlyDependOnLibsWithTags: ['layer:base'] },
            { sourceTag: 'layer:engine', onlyDependOnLibsWithTags: ['layer:base', 'layer:model'] },
            { sourceTag: 'platform:any', onlyDependOnLibsWithTags: ['platform:any'] },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'apps/*/src/**/*.mjs', 'tools/**/*.mjs'],
    rules: { 'no-restricted-imports': ['error', { paths: [CAPTIONER_ROOT] }] },
  },
  {
    // Functions a reader takes in at one screen (issue 15); tests are exempt, describe() blocks are long by nature.
    files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'apps/*/src/**/*.mjs', 'tools/**/*.mjs'],
    ignores: ['**/*.test.ts', '**/*.test.mjs', '**/test-helpers/**'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Code that runs in the browser page: platform:any libraries and the browser-safe entry points.
    files: [
      'libs/caption-metrics/src/**/*.ts',
      'libs/transformer-blocks/src/**/*.ts',
      'libs/captioner/src/generation/**/*.ts',
      'libs/onnx-engine/src/engine/browser.ts',
      'libs/onnx-engine/src/engine/caption-core.ts',
      'libs/image-io/src/browser/**/*.ts',
      'apps/serve/src/page/**/*.mjs',
    ],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', NOT_IN_BROWSER] },
  },
  {
    files: ['**/package.json'],
    languageOptions: { parser: await import('jsonc-eslint-parser') },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          buildTargets: ['build'],
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: true,
          // Served to the browser page as files, never imported.
          ignoredDependencies: ['onnxruntime-web'],
          ignoredFiles: ['{projectRoot}/**/*.test.ts', '{projectRoot}/src/test-helpers/**', '{projectRoot}/scripts/**'],
        },
      ],
    },
  },
  prettier,
];
