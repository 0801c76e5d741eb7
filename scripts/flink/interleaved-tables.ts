/**
 * Which source tables of a fixture reach a stateful operator along two paths, read off the fixture's
 * `plan:` (Rivulet's plan, as EXPLAIN prints it: one node a line, each child three columns right of
 * its parent). A batch into such a table (a self-join, a scalar subquery joined back to its table)
 * reaches that operator through two inputs, and on Flink which input's changes come first is up to
 * its task threads: the changes it emits for the batch are not deterministic, though the table
 * they leave is. Two paths that meet only in a Union (and stateless operators above it) give the
 * same changes in another order, which the comparison allows.
 */

/** Nodes that keep no state, so that the interleaving of their input does not change their output. */
const STATELESS = new Set(['Calc', 'Union', 'Expand', 'Correlate', 'WatermarkAssigner', 'Sink']);

interface PlanLine {
  readonly kind: string;
  readonly text: string;
  readonly parent: PlanLine | undefined;
}

function parsePlan(plan: readonly string[]): PlanLine[] {
  const nodes: PlanLine[] = [];
  const open: PlanLine[] = [];
  for (const text of plan) {
    const match = /^([ :|+-]*?)(?:[+:]- )?([A-Za-z]+)\(/.exec(text);
    if (!match) continue;
    const at = text.indexOf(match[2] as string);
    const depth = Math.round(at / 3);
    const node = { kind: match[2] as string, text, parent: depth > 0 ? open[depth - 1] : undefined };
    open[depth] = node;
    open.length = depth + 1;
    nodes.push(node);
  }
  return nodes;
}

function ancestors(node: PlanLine): PlanLine[] {
  const list: PlanLine[] = [];
  for (let at = node.parent; at; at = at.parent) list.push(at);
  return list;
}

function stateful(node: PlanLine): boolean {
  return !STATELESS.has(node.kind) || (node.kind === 'Sink' && node.text.includes('upsertMaterialize=[true]'));
}

/** Each table read along two paths that meet at or under a stateful node, with that node's kind. */
export function interleavedTables(plan: readonly string[]): Map<string, string> {
  const nodes = parsePlan(plan);
  const scans = new Map<string, PlanLine[]>();
  for (const node of nodes) {
    const table = node.kind === 'TableSourceScan' ? /table=\[([^\]]+)\]/.exec(node.text)?.[1] : undefined;
    if (table) scans.set(table, [...(scans.get(table) ?? []), node]);
  }
  const tables = new Map<string, string>();
  for (const [table, [first, ...others]] of scans) {
    if (!first || others.length === 0) continue;
    const common = others.reduce(
      (shared, scan) => shared.filter((node) => ancestors(scan).includes(node)),
      ancestors(first),
    );
    const meeting = common.find(stateful);
    if (meeting) tables.set(table, meeting.kind);
  }
  return tables;
}
