import { existsSync } from 'node:fs';
import { chromium, defineConfig } from '@playwright/test';

/**
 * Real Chromium against the production build served by a plain static server.
 * Playwright's own Chromium is used where it is installed; otherwise (CI here, with no
 * browser downloads) Debian's /usr/bin/chromium, or FFBATCH_CHROMIUM if set.
 */
function chromiumExecutable(): string | undefined {
  const fromEnv = process.env['FFBATCH_CHROMIUM'];
  if (fromEnv) return fromEnv;
  const bundled = (() => {
    try {
      return chromium.executablePath();
    } catch {
      return undefined;
    }
  })();
  if (bundled && existsSync(bundled)) return undefined;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

const executablePath = chromiumExecutable();
const PORT = Number(process.env['FFBATCH_E2E_PORT'] ?? 4317);
/** The build under test; another folder lets a second run go on beside a rebuild. */
const DIST = process.env['FFBATCH_DIST'] ?? 'dist';

export default defineConfig({
  testDir: 'test/e2e',
  // Encodes are CPU-bound and the machine has 2 cores: one test file at a time, workers inside the page.
  workers: 1,
  fullyParallel: false,
  timeout: 6 * 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-reports/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    acceptDownloads: true,
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: {
    command: `node test/support/static-server.mjs ${DIST} ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env['CI'],
    timeout: 30_000,
  },
});
