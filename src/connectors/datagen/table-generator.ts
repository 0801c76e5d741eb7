import type { Row } from '../../expr/value.ts';
import type { RowField } from '../../types/data-type.ts';
import type { ResolvedOptions } from '../table.ts';
import { DatagenOptionError, FieldOptions } from './field-options.ts';
import { type FieldGenerator, fieldGenerator } from './generators.ts';
import type { RowRandom } from './row-random.ts';

/** The rows of a datagen table: one generator per physical column, and how many rows there are. */
export interface TableGenerator {
  /** Row number `index`: random values drawn from `random`, sequences at `start + index`. */
  row(random: RowRandom, index: number, nowMillis: number): Row;
  /** The number of rows: `number-of-rows`, or fewer when a sequence ends first; Infinity without either. */
  readonly rows: number;
}

/**
 * Builds the generators of a table's columns from its `fields.*` options, as Flink's
 * DataGenTableSourceFactory does, and refuses any `fields.*` option that no generator read, listing
 * those it would.
 */
export function tableGenerator(columns: readonly RowField[], options: ResolvedOptions): TableGenerator {
  const given = options.withPrefix('fields.');
  const consumed = new Set<string>();
  const generators: FieldGenerator[] = columns.map((column) => {
    const fieldOptions = new FieldOptions(given, consumed, column.name);
    consumed.add(`${column.name}.kind`);
    const kind = (given.get(`${column.name}.kind`) ?? 'random').trim();
    return fieldGenerator(column.type, fieldOptions, kind);
  });
  const left = [...given.keys()].filter((key) => !consumed.has(key));
  if (left.length > 0) {
    throw new DatagenOptionError(
      `Unsupported options found for 'datagen': ${left.map((key) => `'fields.${key}'`).join(', ')}`,
      `fields.${left[0]}`,
      `the field options these columns take are: ${[...consumed]
        .sort()
        .map((key) => `fields.${key}`)
        .join(', ')} (see docs/connectors.md#datagen for which option fits which type)`,
    );
  }
  const numberOfRows = options.get('number-of-rows');
  const rows = Math.min(
    numberOfRows === undefined ? Number.POSITIVE_INFINITY : Number(numberOfRows),
    ...generators.map((generator) => generator.rows ?? Number.POSITIVE_INFINITY),
  );
  const generates = generators.map((generator) => generator.generate);
  return {
    rows,
    row: (random, index, nowMillis) => generates.map((generate) => generate(random, index, nowMillis)),
  };
}
