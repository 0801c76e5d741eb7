import { RivuletError } from '../../common/errors.ts';
import type { Log } from '../../log/log.ts';
import type { KafkaTable } from './table.ts';

/**
 * A kafka or upsert-kafka table's topic is a topic of the job's log. On a kafka log, the table's
 * 'properties.bootstrap.servers' must name that log's cluster: Rivulet does not read or write a
 * second cluster, and would otherwise use another topic than the one named. On a postgres log,
 * which keeps topics as tables in place of a Kafka cluster, the brokers name nothing.
 */
export async function checkBrokers(log: Log, table: KafkaTable): Promise<void> {
  const servers = table.options.get('properties.bootstrap.servers');
  if (servers === undefined || !log.servesBrokers) return;
  if (await log.servesBrokers(String(servers))) return;
  throw new RivuletError(
    'KAFKA_OTHER_CLUSTER',
    `table '${table.name}': 'properties.bootstrap.servers' = '${String(servers)}' is not the Kafka cluster of the log (${log.description}); Rivulet reads and writes topics of its log only`,
    `set 'properties.bootstrap.servers' to the log's brokers (the examples take them from \${KAFKA_SERVERS}), or start Rivulet with --log kafka://${String(servers)}`,
  );
}
