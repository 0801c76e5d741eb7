import { SecretText } from '../connectors/secret-text.ts';
import { inputsOf } from '../plan/explain.ts';
import type { PlanNode, TableReference } from '../plan/nodes.ts';
import type { Engine } from '../runtime/engine.ts';
import type { JobHandle } from '../runtime/job-handle.ts';

/** SecretText over the answers of the REST server: the sensitive option names of the engine's jobs. */
export class SecretHider extends SecretText {
  /** The secret-free form of every job's sensitive options, as the jobs of `engine` declare them. */
  static of(engine: Engine): SecretHider {
    return new SecretHider([...engine.jobs.values()].flatMap(sensitiveOptionNames));
  }

  /** A JSON answer with every string hidden; numbers, keys and structure are left as they are. */
  answer(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.answer(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.answer(item)]));
    }
    return value;
  }
}

/** Names of the sensitive options of the connectors of the tables a job reads or writes. */
function sensitiveOptionNames(job: JobHandle): string[] {
  const names = new Set<string>();
  const seen = new Set<PlanNode>();
  const table = (reference: TableReference) => {
    for (const [key, spec] of reference.connector.specs) if (spec.sensitive) names.add(key);
  };
  const visit = (node: PlanNode) => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === 'TableSourceScan' || node.kind === 'Sink' || node.kind === 'LookupJoin') table(node.table);
    for (const input of inputsOf(node)) visit(input);
  };
  for (const sink of job.plan.sinks) visit(sink);
  return [...names];
}
