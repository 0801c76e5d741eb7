/**
 * Records the bytes Apache Flink 1.18.1's `json` format writes for the rows of
 * test/connectors/formats/flink-json-encoding.txt (scripts/flink/JsonEncoding.java, flink-json's
 * JsonRowDataSerializationSchema, no cluster), as `json:` lines under each row; the test
 * test/connectors/formats/json-flink-bytes.test.ts holds Rivulet's json format to them.
 *
 *   npm run parity:json
 *
 * Needs Java 17 and Maven (scripts/flink/run.ts fetches Flink's jars once). Rewrites the data file
 * in place: review the diff.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileJava, ensureFlink, FLINK_JAVA_17_OPTIONS, TARGET } from './run.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '../../test/connectors/formats/flink-json-encoding.txt');
const CLASSES = join(TARGET, 'json-classes');

const classpath = compileJava(
  ['JsonEncoding.java', 'FixtureValues.java'].map((file) => join(HERE, file)),
  CLASSES,
  join(CLASSES, 'JsonEncoding.class'),
  ensureFlink(),
);
execFileSync('java', [...FLINK_JAVA_17_OPTIONS, '-cp', classpath, 'JsonEncoding', DATA], { stdio: 'inherit' });
process.stdout.write(`recorded Flink's json bytes in ${DATA}\n`);
