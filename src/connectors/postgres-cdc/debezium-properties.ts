/**
 * Debezium 1.9 PostgreSQL properties that change which rows Flink CDC produces, or their values:
 * Rivulet reads the slot itself, so each is refused by name (or only the values it does not
 * follow), never passed over with a warning as the properties that only tune Debezium's machinery
 * are (the `debezium.` prefix in factory.ts).
 */
import { followed, handled, type OptionSpec, opt } from '../options.ts';

const REMOVE = 'remove the option';

/** Refused whenever given, under each of its names (Debezium 1.9 still reads the *.whitelist/blacklist ones). */
function refusedKeys(keys: readonly string[], description: string, why: string, hint: string): OptionSpec[] {
  return keys.map((key) => opt.string(`debezium.${key}`, description, { handling: handled.rejected(why, hint) }));
}

/** Refused for every key under `debezium.<prefix>`. */
function refusedPrefix(prefix: string, description: string, why: string, hint: string): OptionSpec {
  return opt.prefix(`debezium.${prefix}`, description, { handling: handled.rejected(why, hint) });
}

const FILTER_WHY =
  "Flink CDC sets Debezium's table and schema filters itself from 'schema-name' and 'table-name'; Rivulet reads exactly that table";
const FILTER_HINT = "remove the option, and name the table with 'schema-name' and 'table-name'";
const COLUMNS_WHY =
  'Debezium would leave the excluded columns out of every change (Flink CDC then reads them as NULL); Rivulet reads every column the table declares';
const COLUMNS_HINT = 'remove the option, and leave the columns out of the CREATE TABLE or the query instead';

export const debeziumRowOptions: readonly OptionSpec[] = [
  ...refusedKeys(
    ['table.include.list', 'table.exclude.list', 'table.whitelist', 'table.blacklist'],
    'tables Debezium captures',
    FILTER_WHY,
    FILTER_HINT,
  ),
  ...refusedKeys(
    ['schema.include.list', 'schema.exclude.list', 'schema.whitelist', 'schema.blacklist'],
    'schemas Debezium captures',
    FILTER_WHY,
    FILTER_HINT,
  ),
  ...refusedKeys(
    ['column.include.list', 'column.exclude.list', 'column.whitelist', 'column.blacklist'],
    'columns Debezium captures',
    COLUMNS_WHY,
    COLUMNS_HINT,
  ),
  ...refusedKeys(
    ['message.key.columns'],
    "the columns of a change's key",
    'Debezium would tell an update of these columns as a delete and an insert; Rivulet keys changes by the PRIMARY KEY of the CREATE TABLE',
    'remove the option, and declare those columns as the PRIMARY KEY (...) NOT ENFORCED',
  ),
  refusedPrefix(
    'column.mask.',
    'columns whose values Debezium masks (with.N.chars, hash.…)',
    'Rivulet writes the values of the table unmasked',
    'remove the option, and mask in the query (for example OVERLAY, or SHA256 of the column)',
  ),
  refusedPrefix(
    'column.truncate.',
    'columns whose values Debezium cuts to a length (to.N.chars)',
    'Rivulet writes the values of the table whole',
    'remove the option, and cut in the query (SUBSTRING)',
  ),
  ...refusedKeys(
    ['transforms'],
    'single message transforms applied to every change',
    'Rivulet applies no Kafka Connect transforms to the changes',
    "remove the option and the 'debezium.transforms.*' ones, and transform in the query",
  ),
  refusedPrefix(
    'transforms.',
    'the settings of a single message transform',
    'Rivulet applies no Kafka Connect transforms to the changes',
    "remove the option and 'debezium.transforms', and transform in the query",
  ),
  ...refusedKeys(
    ['converters'],
    "custom converters of columns' values (each configured by '<name>.type')",
    "Rivulet reads each value from PostgreSQL's text form into the declared type, through no custom converter",
    'remove the option, and convert in the query',
  ),
  ...refusedKeys(
    ['snapshot.select.statement.overrides'],
    'tables whose snapshot is read by a statement of their own',
    'Rivulet reads the whole table in the snapshot',
    "remove the option and the 'debezium.snapshot.select.statement.overrides.*' ones, and filter in the query",
  ),
  refusedPrefix(
    'snapshot.select.statement.overrides.',
    "a table's own snapshot statement",
    'Rivulet reads the whole table in the snapshot',
    "remove the option and 'debezium.snapshot.select.statement.overrides', and filter in the query",
  ),
  ...refusedKeys(
    ['snapshot.include.collection.list'],
    'tables of which a snapshot is taken',
    "Rivulet takes a snapshot of the table when 'scan.startup.mode' is 'initial'",
    "remove the option; for no snapshot, set 'scan.startup.mode' = 'latest-offset'",
  ),
  ...refusedKeys(
    ['signal.data.collection'],
    'the table from which Debezium takes signals (ad hoc snapshots)',
    'Rivulet takes no signals: an ad hoc snapshot would give rows it never reads',
    REMOVE,
  ),
  ...refusedKeys(
    ['database.initial.statements'],
    'statements Debezium runs on each new connection (they can change how values are printed, or what is read)',
    'Rivulet runs no statements of yours on its connections',
    'remove the option, and set what the statements set on the role or database (ALTER ROLE … SET …)',
  ),
  ...refusedKeys(
    ['unavailable.value.placeholder', 'toasted.value.placeholder'],
    'the value written for a TOASTed value an update did not change',
    'Rivulet writes the value itself, taken from the old row or the table, never a placeholder',
    REMOVE,
  ),
  ...refusedKeys(
    ['interval.handling.mode'],
    "how interval columns are read: 'numeric' (microseconds) or 'string' (ISO 8601)",
    "Rivulet reads an interval in PostgreSQL's text form ('1 day 02:00:00') into a STRING column, and converts it to neither",
    'remove the option, declare the column STRING, and convert in the query',
  ),
  ...refusedKeys(
    ['hstore.handling.mode'],
    "how hstore columns are read: 'json' (a JSON string) or 'map'",
    'Rivulet reads an hstore in PostgreSQL\'s text form (\'"a"=>"1"\') into a STRING column, and converts it to neither',
    'remove the option, declare the column STRING, and convert in the query',
  ),
  ...refusedKeys(
    ['money.fraction.digits'],
    'the scale of money columns read as DECIMAL',
    "Rivulet reads a money value in PostgreSQL's text form ('$1,000.00'), not as a DECIMAL of this scale",
    'remove the option, and declare the column STRING (or store it as numeric at the source)',
  ),
  followed(
    opt.enumOf('debezium.binary.handling.mode', ['bytes', 'base64', 'base64-url-safe', 'hex'], 'how bytea is read'),
    'a bytea column is read into a BYTES column as its bytes',
    ['base64', 'base64-url-safe', 'hex'],
    "Rivulet reads bytea as bytes ('bytes') and encodes it as no string",
    'remove the option, and encode in the query (TO_BASE64 of the column)',
  ),
  followed(
    opt.boolean('debezium.include.unknown.datatypes', 'whether columns of types Debezium does not know are read'),
    "every column the table declares is read from PostgreSQL's text form, whatever its type (as 'true')",
    ['false'],
    'Rivulet reads every column the table declares, whatever its type; it drops none to NULL',
    "remove the option or set it to 'true', and leave a column out of the CREATE TABLE to not read it",
  ),
  followed(
    opt.boolean('debezium.sanitize.field.names', "whether column names are rewritten to Avro's rules"),
    'columns are matched by their names as the table has them',
    ['true'],
    'Debezium would rename columns whose names Avro does not allow, and Flink CDC would read them as NULL; Rivulet matches columns by their own names',
    "remove the option or set it to 'false'",
  ),
  followed(
    opt.enumOf(
      'debezium.event.processing.failure.handling.mode',
      ['fail', 'warn', 'skip', 'ignore'],
      'what a change that cannot be read does',
    ),
    'a change that cannot be read fails the job, naming the column, the table and the LSN',
    ['warn', 'skip', 'ignore'],
    'Rivulet leaves out no change: one left out would leave every layer downstream with a wrong state',
    "remove the option or set it to 'fail'",
  ),
  followed(
    opt.enumOf('debezium.truncate.handling.mode', ['skip', 'include'], 'whether a TRUNCATE is a change'),
    'a TRUNCATE is not captured (one warning in the job log), as in Flink CDC',
    ['include'],
    'Rivulet does not capture a TRUNCATE; downstream keeps its rows',
    "remove the option or set it to 'skip'",
  ),
  ...['column', 'datatype'].map((what) =>
    opt.string(
      `debezium.${what}.propagate.source.type`,
      `${what === 'column' ? 'columns' : 'types'} (regular expressions) whose source type Debezium adds to the schema's parameters`,
      {
        handling: handled.warned(
          "the source type is a parameter of Debezium's schema, which Flink CDC does not read into rows; the rows are the same",
        ),
      },
    ),
  ),
];
