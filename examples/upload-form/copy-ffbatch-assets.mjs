// Copies ffbatch's worker and the ffmpeg core (lib/ffmpeg.worker.js, lib/assets/) into
// public/ffbatch/, so Vite serves them in dev and copies them into dist/ffbatch/ on build.
// main.ts points createEncoder at them with assetsURL: '/ffbatch/'.
import { cp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package's main module is lib/ffbatch.js: its folder is lib/.
const lib = dirname(fileURLToPath(import.meta.resolve('ffbatch')));
const target = join(import.meta.dirname, 'public', 'ffbatch');
await rm(target, { recursive: true, force: true });
await cp(join(lib, 'ffmpeg.worker.js'), join(target, 'ffmpeg.worker.js'));
await cp(join(lib, 'assets'), join(target, 'assets'), { recursive: true });
console.log(`ffbatch assets copied to ${target}`);
