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
    files: ['src/ui/**/*.ts', 'src/main.ts'],
    rules: {
      // The page reaches the engine only through the package's public entry, src/index.ts (issue 10):
      // no private path around the API other sites use. Its own DOM parts (./ui/…) and the service worker's registration are its own.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['comlink', 'idb-keyval', '@ffmpeg/*', 'mediabunny', '@mediabunny/*'], message: 'The page never reaches workers, storage or codecs directly.' },
            {
              group: ['**/jobs/*', '**/pool/*', '**/storage/*', '**/upload/*', '**/api/*', '**/presets/*', '**/report/*', '**/workers/*'],
              message: 'The page reaches the engine only through the public API: import from src/index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Imported into the Workbox service worker (scripts/pwa.ts).
    files: ['public/keep-previous-assets.js', 'public/share-target.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
);
