package org.apache.flink.streaming.runtime.tasks;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processing-time clock of the operator-fixture harness (scripts/flink/FixtureRunner.java):
 * one manual clock for every task of the JVM, read by the timer services that replace Flink's
 * (SystemProcessingTimeService here) and by state TTL (TtlTimeProvider here). The runner sets it
 * at the start of each case and at each `clock:` line; moving it fires the timers it makes due.
 */
public final class FixtureClock {
  private static volatile long now = System.currentTimeMillis();
  private static final Set<SystemProcessingTimeService> SERVICES = ConcurrentHashMap.newKeySet();

  private FixtureClock() {}

  public static long now() {
    return now;
  }

  /**
   * Sets the clock, then has every live timer service fire the timers now due; their callbacks
   * only put mails into their tasks' mailboxes, which the tasks take before any later input.
   */
  public static void set(long millis) {
    now = millis;
    for (SystemProcessingTimeService service : SERVICES) service.fireDue();
  }

  static void register(SystemProcessingTimeService service) {
    SERVICES.add(service);
  }

  static void unregister(SystemProcessingTimeService service) {
    SERVICES.remove(service);
  }
}
