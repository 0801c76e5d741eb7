package org.apache.flink.runtime.state.ttl;

import org.apache.flink.streaming.runtime.tasks.FixtureClock;

/**
 * Stands in for flink-runtime's interface of the same name (this class comes first on the fixture
 * runner's classpath): state TTL reads the fixture clock instead of System.currentTimeMillis().
 */
public interface TtlTimeProvider {
  TtlTimeProvider DEFAULT = FixtureClock::now;

  long currentTimestamp();
}
