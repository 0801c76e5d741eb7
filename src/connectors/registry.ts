import type { TableOption } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { blackholeFactory } from './blackhole/factory.ts';
import { datagenFactory } from './datagen/factory.ts';
import type { ConnectorFactory } from './factory.ts';
import { filesystemFactory } from './filesystem/factory.ts';
import { FORMATS } from './formats/formats.ts';
import { jdbcFactory } from './jdbc/factory.ts';
import { kafkaFactory } from './kafka/kafka-factory.ts';
import { upsertKafkaFactory } from './kafka/upsert-kafka-factory.ts';
import { type OptionSpec, type OptionValue, optionWarning, parseOptionValue } from './options.ts';
import { postgresCdcFactory } from './postgres-cdc/factory.ts';
import { printFactory } from './print/factory.ts';
import type { ResolvedOptions, TableShape } from './table.ts';

/** Every connector, by its `connector` option. */
export const CONNECTORS: ReadonlyMap<string, ConnectorFactory> = new Map(
  [
    postgresCdcFactory,
    kafkaFactory,
    upsertKafkaFactory,
    jdbcFactory,
    datagenFactory,
    printFactory,
    blackholeFactory,
    filesystemFactory,
  ].map((factory) => [factory.identifier, factory]),
);

/** The connectors that fit, as a hint lists them: `'a', 'b'`. */
export function connectorNames(fits: (factory: ConnectorFactory) => boolean): string {
  return [...CONNECTORS.values()]
    .filter(fits)
    .map((factory) => `'${factory.identifier}'`)
    .join(', ');
}

const NO_OPTIONS: ResolvedOptions = { get: () => undefined, withPrefix: () => new Map() };

/** Whether a connector reads an unbounded stream of inserts only (with its default options). */
export function appendOnlySource(factory: ConnectorFactory): boolean {
  return (
    factory.source !== undefined && !factory.source.bounded && factory.source.changelog(NO_OPTIONS) === 'insert-only'
  );
}

export interface ResolvedConnector extends ResolvedOptions {
  readonly factory: ConnectorFactory;
  /** The options as written, for display (sensitive values are redacted by the printer). */
  readonly written: readonly TableOption[];
  readonly specs: ReadonlyMap<string, OptionSpec>;
  /** One line for each option given that has no effect here (see OptionHandling): printed once per job. */
  readonly warnings: readonly string[];
  /** The columns of PARTITIONED BY (...); empty when not partitioned. */
  readonly partitionKeys: readonly string[];
}

/**
 * Finds the table's connector and checks its options the way Flink's FactoryUtil does: required
 * options present, each value of its declared type, and no key left that nobody declared.
 */
export function resolveConnector(
  table: TableShape,
  at: number,
  options: readonly TableOption[],
  source: SqlSource,
): ResolvedConnector {
  const connectorOption = options.find((option) => option.key === 'connector');
  if (!connectorOption) {
    throw new SqlError(
      'CONNECTOR_MISSING',
      source,
      at,
      `table '${table.name}' has no 'connector' option`,
      `add WITH ('connector' = '...'); connectors: ${[...CONNECTORS.keys()].join(', ')}`,
    );
  }
  const factory = CONNECTORS.get(connectorOption.value);
  if (!factory) {
    throw new SqlError(
      'CONNECTOR_UNKNOWN',
      source,
      connectorOption.at,
      `Could not find any factory for identifier '${connectorOption.value}'`,
      `available connectors: ${[...CONNECTORS.keys()].sort().join(', ')}`,
    );
  }

  if ((table.partitionKeys ?? []).length > 0 && !factory.partitioned) {
    throw new SqlError(
      'CONNECTOR_INVALID',
      source,
      at,
      `table '${table.name}' is PARTITIONED BY (${table.partitionKeys?.join(', ')}), but connector '${factory.identifier}' has no partitions`,
      `remove PARTITIONED BY; connectors with partitioned tables: ${connectorNames((f) => f.partitioned === true)}`,
    );
  }
  const specs = new Map(factory.options.map((spec) => [spec.key, spec]));
  const byKey = new Map(options.map((option) => [option.key, option]));
  for (const { key, prefix } of factory.formatOptions ?? []) {
    const format = byKey.get(key)?.value;
    if (format === undefined) continue;
    const formatSpecs = FORMATS.get(format)?.options;
    if (!formatSpecs) {
      throw new SqlError(
        'FORMAT_UNKNOWN',
        source,
        byKey.get(key)?.at ?? at,
        `Could not find any format factory for identifier '${format}' in '${key}'`,
        `available formats: ${[...FORMATS.keys()].join(', ')}`,
      );
    }
    for (const spec of formatSpecs)
      specs.set(`${prefix}${format}.${spec.key}`, { ...spec, key: `${prefix}${format}.${spec.key}` });
  }
  // The longest prefix wins: `debezium.transforms.` is refused where `debezium.` is passed through.
  const prefixes = [...specs.values()].filter((spec) => spec.prefix).sort((a, b) => b.key.length - a.key.length);

  const values = new Map<string, OptionValue>();
  const unknown: TableOption[] = [];
  const warnings: string[] = [];
  for (const option of options) {
    const spec =
      specs.get(option.key) ?? prefixes.find((p) => option.key.startsWith(p.key) && option.key.length > p.key.length);
    if (!spec) {
      unknown.push(option);
      continue;
    }
    refuseOption(spec, option, table.name, source);
    const warning = optionWarning(spec, option.key, option.value);
    if (warning) warnings.push(`table '${table.name}': option ${warning}`);
    const parsed = spec.prefix ? option.value : parseOptionValue(spec, option.value);
    if (typeof parsed === 'object') {
      throw new SqlError(
        'OPTION_INVALID',
        source,
        option.at,
        `option '${option.key}' of table '${table.name}': ${parsed.error}`,
      );
    }
    values.set(option.key, parsed);
  }
  if (unknown.length > 0) {
    const first = unknown[0] as TableOption;
    const supported = [...specs.values()].map((spec) => (spec.prefix ? `${spec.key}*` : spec.key)).sort();
    const suggestion = closest(first.key, supported);
    throw new SqlError(
      'OPTION_UNSUPPORTED',
      source,
      first.at,
      `Unsupported options found for '${factory.identifier}': ${unknown.map((option) => `'${option.key}'`).join(', ')}`,
      `${suggestion ? `did you mean '${suggestion}'? ` : ''}supported options: ${supported.join(', ')}`,
    );
  }
  const missing = [...specs.values()]
    .filter((spec) => spec.required && !values.has(spec.key))
    .map((spec) => `'${spec.key}'`);
  if (missing.length > 0) {
    throw new SqlError(
      'OPTION_MISSING',
      source,
      at,
      `One or more required options are missing for table '${table.name}' ('${factory.identifier}'): ${missing.join(', ')}`,
    );
  }
  for (const spec of specs.values()) {
    if (!values.has(spec.key) && spec.default !== undefined) {
      const parsed = parseOptionValue(spec, spec.default);
      if (typeof parsed !== 'object') values.set(spec.key, parsed);
    }
  }

  const resolved: ResolvedConnector = {
    factory,
    written: options,
    specs,
    warnings,
    partitionKeys: table.partitionKeys ?? [],
    get: (key) => values.get(key),
    withPrefix: (prefix) => {
      const found = new Map<string, string>();
      for (const option of options)
        if (option.key.startsWith(prefix)) found.set(option.key.slice(prefix.length), option.value);
      return found;
    },
  };
  const problem =
    factory.validate?.(table, resolved) ??
    (factory.formatOptions ?? [])
      .map(({ key, prefix }) => {
        const format = FORMATS.get(String(resolved.get(key)));
        return format?.validate?.(resolved, prefix, table);
      })
      .find((found) => found !== undefined);
  if (problem) {
    const where = (problem.option && byKey.get(problem.option)?.at) || at;
    throw new SqlError('CONNECTOR_INVALID', source, where, problem.message, problem.hint);
  }
  return resolved;
}

/** Throws for an option Rivulet refuses, or a value of it that it refuses: what, why and what to do instead. */
function refuseOption(spec: OptionSpec, option: TableOption, table: string, source: SqlSource): void {
  const { handling, refused } = spec;
  if (handling.kind === 'rejected') {
    throw new SqlError(
      'OPTION_NOT_SUPPORTED',
      source,
      option.at,
      `option '${option.key}' of table '${table}' is not supported: ${handling.why}`,
      handling.hint,
    );
  }
  if (refused?.values.some((value) => value.toLowerCase() === option.value.trim().toLowerCase())) {
    throw new SqlError(
      'OPTION_NOT_SUPPORTED',
      source,
      option.at,
      `option '${option.key}' = '${option.value}' of table '${table}' is not supported: ${refused.why}`,
      refused.hint,
    );
  }
}

/** The candidate nearest to `word` by edit distance, if near enough to be a likely typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate.replace(/\*$/, ''));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
