import { RivuletError } from '../../common/errors.ts';
import type { SinkContext, SinkWriter } from '../sink-writer.ts';
import { JdbcDatabase } from './database.ts';
import { JdbcTableWriter } from './table-writer.ts';
import { jdbcConnection } from './url.ts';

/** A sink table of a PostgreSQL database; the sinks of one job into one database commit together. */
export async function openJdbcSink(context: SinkContext): Promise<SinkWriter> {
  const { table } = context;
  const array = table.fields.find((field) => field.type.kind === 'ARRAY');
  if (array) {
    // Flink's jdbc connector reads PostgreSQL arrays but fails every write of one with this message.
    throw new RivuletError(
      'JDBC_TYPE_UNSUPPORTED',
      `jdbc table '${table.name}', column '${array.name}': Writing ARRAY type is not yet supported in JDBC:PostgreSQL.`,
      "as in Flink's jdbc connector; UNNEST the array into rows, write it as text (CAST(col AS STRING)), or write it to a kafka table",
    );
  }
  const connection = jdbcConnection(table.options);
  const maxRetries = Number(table.options.get('sink.max-retries') ?? 3);
  // Tables of one database reached the same way share its transactions; the key never leaves the job.
  const key = JSON.stringify(['jdbc', table.options.get('url'), connection.user, connection.password]);
  const domain = context.domain(key, () => new JdbcDatabase(connection, maxRetries, context.job));
  if (!(domain instanceof JdbcDatabase))
    throw new Error(`the commit domain of jdbc table '${table.name}' is not a database`);
  const writer = new JdbcTableWriter({
    table: String(table.options.get('table-name')),
    fields: table.fields,
    key: table.key,
  });
  return {
    domain,
    write: (changes) => domain.stage(writer.table, writer.statements(changes)),
  };
}
