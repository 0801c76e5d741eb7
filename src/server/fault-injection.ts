import type { Engine } from '../runtime/engine.ts';

/** The environment variable that lets `rivulet up` take fault-injection requests (for tests and `npm run chaos`). */
export const FAULT_INJECTION_ENV = 'RIVULET_FAULT_INJECTION';

/** Whether the environment turns fault injection on: `RIVULET_FAULT_INJECTION=1`, nothing else. */
export function faultInjectionFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[FAULT_INJECTION_ENV] === '1';
}

/** An answer of the fault-injection routes: its status and Flink-shaped body. */
export interface FaultAnswer {
  readonly status: 200 | 403 | 404;
  readonly body: unknown;
}

/**
 * POST /workers/:n/crash (see docs/workers.md, Crashing a worker on purpose): worker n (1…N) throws
 * an error nothing catches and ends, as a bug in it would; the answer comes once the next worker of
 * its place has started, with the jobs it had, which resume from their committed positions. Only
 * when the engine was started with fault injection on; the RequestGuard has already asked for the
 * token, as for every request that changes something.
 */
export async function crashWorker(engine: Engine, index: string, enabled: boolean): Promise<FaultAnswer> {
  if (!enabled) {
    return {
      status: 403,
      body: {
        errors: [
          `Forbidden: fault injection is off, so no worker is crashed on request; start rivulet up with ${FAULT_INJECTION_ENV}=1 to allow it (for tests only)`,
        ],
      },
    };
  }
  const slots = engine.pool?.slots ?? [];
  const slot = slots.find((each) => String(each.index) === index);
  if (!slot) {
    const valid = slots.length > 0 ? `1 to ${slots.length}` : 'none: the engine runs its jobs without workers';
    return { status: 404, body: { errors: [`Worker ${index} not found (workers: ${valid})`] } };
  }
  const jobs = await slot.crash(`worker ${slot.index} crashed on request (POST /workers/${slot.index}/crash)`);
  return { status: 200, body: { worker: slot.index, jobs, starts: slot.starts } };
}
