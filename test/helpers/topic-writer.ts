import { kafkaTable } from '../../src/connectors/kafka/table.ts';
import { kafkaTableWriter } from '../../src/connectors/kafka/writer.ts';
import type { Change } from '../../src/exec/change.ts';
import type { ProduceRecord } from '../../src/log/log.ts';
import type { CatalogTable } from '../../src/plan/catalog.ts';
import { tableReference } from '../../src/plan/plan-table.ts';

/** Records of a kafka or upsert-kafka table of a script's catalog, as its connector writes them. */
export function topicWriter(table: CatalogTable): (change: Change) => ProduceRecord | undefined {
  const reference = tableReference(table);
  const fields = table.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: c.type }));
  const key = (reference.primaryKey ?? []).map((name) => fields.findIndex((f) => f.name === name));
  const upsert = reference.connector.factory.identifier === 'upsert-kafka';
  const write = kafkaTableWriter(kafkaTable({ name: table.name, fields, key, options: reference.connector }, upsert));
  return (change) => write(change);
}
