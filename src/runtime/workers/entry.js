// The first module of a worker (thread or child process): the engine's sources are TypeScript,
// compiled by tsx on load as in bin/rivulet.js; then the module named by the spawner runs.

import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const main = workerData?.main ?? process.env.RIVULET_WORKER_MAIN;
await import(main);
