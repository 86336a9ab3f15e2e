import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** idb-keyval is storage's alone (DESIGN.md): every other part reaches IndexedDB through src/storage. */
const IDB = { group: ['idb-keyval'], message: 'Only src/storage imports idb-keyval: go through its stores.' };

/** Workers host the engines: from src/ only src/shared. */
const WORKERS_WALL = { regex: '(^|/)src/(?!shared/)', message: 'Workers host the engines: from src/ they import only the plain helpers of src/shared.' };

/** One part's wall: `no-restricted-imports` with `patterns` for `files`. */
function zone(files, patterns, { storage = false } = {}) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns: storage ? patterns : [IDB, ...patterns] }] } };
}

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
  // The walls of DESIGN.md's table of parts, one zone a part: the next breach fails lint.
  // A later block replaces the rule for its files, so every zone repeats the storage wall.
  zone(['src/**/*.ts', 'workers/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'], []),
  zone(['src/storage/**/*.ts'], [{ group: ['**/jobs/*', '**/session/*', '**/api/*', '**/ui/*', '**/pool/*', '**/upload/*', '**/index'], message: 'Storage owns the shapes it persists (records.ts): it imports no jobs, api or ui.' }], { storage: true }),
  zone(['src/pool/**/*.ts'], [{ group: ['**/jobs/*', '**/session/*', '**/api/*', '**/ui/*', '**/storage/*', '**/upload/*', '**/index'], message: 'The pool runs tasks in workers; it decides no job order and imports no jobs.' }]),
  zone(['src/presets/**/*.ts'], [{ group: ['**/jobs/*', '**/session/*', '**/api/*', '**/ui/*', '**/storage/*', '**/pool/*', '**/upload/*', '**/index'], message: 'Presets are declarative specs and their compilers: they run nothing and import no jobs, storage or ui.' }]),
  zone(['src/report/**/*.ts'], [{ group: ['**/jobs/*', '**/session/*', '**/api/*', '**/ui/*', '**/storage/*', '**/pool/*', '**/upload/*', '**/index', '**/workers/*'], message: 'The report is pure functions over figures it is given.' }]),
  zone(['src/upload/**/*.ts'], [{ group: ['**/jobs/*', '**/session/*', '**/api/*', '**/ui/*', '**/storage/*', '**/pool/*', '**/index', '**/workers/*'], message: 'Upload sends bytes it is given; it never reads IndexedDB or jobs.' }]),
  zone(['src/jobs/**/*.ts'], [{ group: ['**/api/*', '**/ui/*', '**/session/*', '**/index'], message: 'Jobs know nothing of the DOM, of the session that holds them, or of the public API above them.' }]),
  zone(['src/session/**/*.ts'], [{ group: ['**/api/*', '**/ui/*', '**/index'], message: 'The session wires jobs, storage and uploads; it knows nothing of the DOM or of the public API above it.' }]),
  zone(['src/shared/**/*.ts'], [{ group: ['../*', '!./*', 'comlink', '@ffmpeg/*', 'mediabunny', '@mediabunny/*'], message: 'src/shared holds plain helpers that every part (workers too) may import: it imports nothing of the project.' }]),
  zone(['src/service-worker.ts'], [{ group: ['**/jobs/*', '**/session/*', '**/api/*', '**/ui/*', '**/storage/*', '**/pool/*', '**/upload/*', '**/index'], message: 'The service worker caches and updates the app; it never touches jobs.' }]),
  zone(['workers/**/*.ts'], [WORKERS_WALL]),
  // Engines as rooms: each engine's parts import their own room, the protocol and workers/sync-target.ts, never another engine's.
  zone(['workers/ffmpeg/**/*.ts'], [WORKERS_WALL, { group: ['**/webcodecs/*', '**/smart-cut/*', '**/quality/*', 'mediabunny', '@mediabunny/*'], message: 'The ffmpeg.wasm room (core, OPFS file system, read-ahead, framecrc) imports no other engine.' }]),
  zone(['workers/webcodecs/**/*.ts'], [WORKERS_WALL, { group: ['**/ffmpeg/*', '**/smart-cut/*', '**/quality/*', '@ffmpeg/*'], message: 'The WebCodecs room imports no other engine.' }]),
  zone(['workers/smart-cut/**/*.ts'], [WORKERS_WALL, { group: ['**/ffmpeg/*', '**/webcodecs/*', '**/quality/*', '@ffmpeg/*'], message: 'The smart cut gets the core as a runner it is given; it imports no other engine.' }]),
  zone(['workers/quality/**/*.ts'], [WORKERS_WALL, { group: ['**/ffmpeg/*', '**/webcodecs/*', '**/smart-cut/*', '@ffmpeg/*'], message: 'Scoring gets its frames from a grab engine it is given; it imports no other engine.' }]),
  zone(['src/uppy/**/*.ts'], [{ group: ['**/jobs/*', '**/session/*', '**/api/*', '**/ui/*', '**/storage/*', '**/pool/*', '**/upload/*', '**/presets/*', '**/report/*', '**/workers/*'], message: 'ffbatch/uppy is built on the public API: import from src/index.ts.' }]),
  zone(['src/ui/**/*.ts', 'src/main.ts'], [
    { group: ['comlink', '@ffmpeg/*', 'mediabunny', '@mediabunny/*'], message: 'The page never reaches workers, storage or codecs directly.' },
    {
      // The page reaches the engine only through the package's public entry, src/index.ts (issue 10):
      // no private path around the API other sites use. Its own DOM parts (./ui/…), src/shared's plain helpers and the service worker's registration are its own.
      group: ['**/jobs/*', '**/session/*', '**/pool/*', '**/storage/*', '**/upload/*', '**/api/*', '**/presets/*', '**/report/*', '**/workers/*'],
      message: 'The page reaches the engine only through the public API: import from src/index.ts.',
    },
  ]),
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
