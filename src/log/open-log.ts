import { RivuletError } from '../common/errors.ts';
import { KafkaLog } from './kafka/kafka-log.ts';
import type { Log } from './log.ts';
import { PostgresLog } from './postgres/postgres-log.ts';

/**
 * Opens the log a `--log` URL names: `postgres://…` (or `postgresql://…`) or
 * `kafka://host:port[,host:port]`, the latter with `kafkaTransactionalId` when given (see KafkaLogOptions).
 * Without `maintenance`, a postgres log leaves compaction and retention to another opener of it
 * (the engine's main thread does them for its workers). `shareChannel`: see PostgresLogOptions.
 */
export function openLog(
  url: string,
  options: {
    readonly kafkaTransactionalId?: string;
    readonly maintenance?: boolean;
    readonly shareChannel?: string;
  } = {},
): Promise<Log> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    return PostgresLog.open(url, {
      ...(options.maintenance === false ? { maintenanceIntervalMs: 0 } : {}),
      ...(options.shareChannel ? { shareChannel: options.shareChannel } : {}),
    });
  }
  if (url.startsWith('kafka://')) {
    const brokers = url.slice('kafka://'.length).replace(/\/$/, '');
    return KafkaLog.open(brokers, {
      transactionalId: options.kafkaTransactionalId,
      ...(options.shareChannel ? { shareChannel: options.shareChannel } : {}),
    });
  }
  throw new RivuletError(
    'BAD_OPTION',
    `--log must be postgres://… or kafka://host:port, got '${url.replace(/:[^:@/]*@/, ':***@')}'`,
    'for example --log postgres://postgres@127.0.0.1:5433/rivulet or --log kafka://127.0.0.1:9092',
  );
}
