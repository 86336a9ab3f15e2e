import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // examples/*/dist and public/ffbatch hold built or copied files once an example is built in place.
  { ignores: ['dist', 'lib', 'node_modules', 'test-results', 'playwright-report', 'bench/out', '.tmp', 'examples/*/dist', 'examples/*/public'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: {
      // The page's DOM layer must not reach into workers, storage or ffmpeg directly.
      'no-restricted-imports': ['error', { patterns: ['comlink', 'idb-keyval', '@ffmpeg/*'] }],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Imported into the Workbox service worker (scripts/pwa.ts).
    files: ['public/keep-previous-assets.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
);
