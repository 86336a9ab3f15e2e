// Runs webpack through its Node API (no webpack-cli) and fails on any error or warning.
import { readFile, writeFile } from 'node:fs/promises';
import webpack from 'webpack';
import config from './webpack.config.mjs';

const stats = await new Promise((resolve, reject) => webpack(config, (error, result) => (error ? reject(error) : resolve(result))));
const info = stats.toJson({ all: false, errors: true, warnings: true });
for (const warning of info.warnings ?? []) console.error('warning:', warning.message);
for (const error of info.errors ?? []) console.error('error:', error.message);
if (stats.hasErrors() || stats.hasWarnings()) process.exit(1);
// webpack's output is a classic script (its automatic publicPath reads document.currentScript).
const html = await readFile('index.html', 'utf8');
await writeFile('dist-webpack/index.html', html.replace('<script type="module" src="./main.js">', '<script defer src="./main.js">'));
