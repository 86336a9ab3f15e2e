#!/usr/bin/env node
// CLI entry: configure with environment variables (README.md), then `node server.mjs`.
import { configFromEnv, createPresignServer } from './presign-server.mjs';

const config = configFromEnv();
const server = await createPresignServer({ ...config, log: (line) => console.log(line) });
const address = server.address();
console.log(`presign server listening on port ${typeof address === 'object' && address ? address.port : config.port}`);
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
