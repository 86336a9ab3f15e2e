// webpack 5 as a site would use it: an entry, an output folder, nothing about ffbatch.
import path from 'node:path';

export default {
  mode: 'production',
  entry: './main.js',
  output: { path: path.resolve(import.meta.dirname, 'dist-webpack'), filename: 'main.js', clean: true },
  performance: { hints: false },
};
