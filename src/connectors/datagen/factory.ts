import type { ConnectorFactory } from '../factory.ts';
import { opt } from '../options.ts';
import { DatagenOptionError } from './field-options.ts';
import { DatagenReader } from './reader.ts';
import { tableGenerator } from './table-generator.ts';

/** Flink's `datagen` source: random or sequence values for every column, as its DataGenTableSourceFactory makes them. */
export const datagenFactory: ConnectorFactory = {
  identifier: 'datagen',
  description: 'generated rows: random values or sequences per column, at a rate, bounded or not',
  options: [
    opt.string('connector', "'datagen'", { required: true }),
    opt.long('rows-per-second', 'rows generated per second', { default: '10000' }),
    opt.long('number-of-rows', 'the number of rows to generate: the source ends after them (unbounded when unset)'),
    opt.prefix(
      'fields.',
      "per column: 'fields.<column>.kind' ('random' or 'sequence'), and for a random field min, max, max-past, length, var-len, null-rate; for a sequence start and end; nested fields as fields.<column>.<field>.…, fields.<column>.element.…, fields.<column>.key.…, fields.<column>.value.…",
    ),
  ],
  source: {
    changelog: () => 'insert-only',
    metadata: {},
    open: (context) => DatagenReader.open(context),
  },
  validate(table, options) {
    if (Number(options.get('rows-per-second')) <= 0)
      return { message: "'rows-per-second' must be greater than 0", option: 'rows-per-second' };
    if (Number(options.get('number-of-rows') ?? 0) < 0)
      return { message: "'number-of-rows' must not be negative", option: 'number-of-rows' };
    const types = table.columnTypes ?? [];
    try {
      tableGenerator(
        table.columns.map((name, i) => ({ name, type: types[i] ?? { kind: 'NULL', nullable: true } })),
        options,
      );
    } catch (error) {
      if (!(error instanceof DatagenOptionError)) throw error;
      return { message: error.message, ...(error.option ? { option: error.option } : {}), hint: error.hint };
    }
    return undefined;
  },
};
