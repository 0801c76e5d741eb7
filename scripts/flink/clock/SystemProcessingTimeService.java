package org.apache.flink.streaming.runtime.tasks;

import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.util.clock.Clock;
import org.apache.flink.util.concurrent.NeverCompleteFuture;

/**
 * Stands in for flink-streaming-java's class of the same name (this class comes first on the
 * fixture runner's classpath), which StreamTask creates as every task's timer service: the time is
 * FixtureClock's, and a timer fires when the clock has passed its timestamp (Flink's fires 1 ms
 * after it, "to align the semantics with watermark"), at once when it already has. Callbacks run
 * on the thread that moved the clock or registered the timer; StreamTask's only put a mail into
 * the task's mailbox. A periodic callback fires once per move of the clock, however many periods
 * the move spans.
 */
public class SystemProcessingTimeService implements TimerService {
  /** How StreamTask hears of a callback's failure (the constructor's lambda implements it). */
  interface ExceptionHandler {
    void handleException(Exception ex);
  }

  private enum Status {
    ALIVE,
    QUIESCED,
    SHUTDOWN
  }

  private final ExceptionHandler exceptionHandler;
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  /** Orders timers due at the same time by registration. */
  private long registered;
  private Status status = Status.ALIVE;

  SystemProcessingTimeService(ExceptionHandler exceptionHandler) {
    this(exceptionHandler, null);
  }

  SystemProcessingTimeService(ExceptionHandler exceptionHandler, ThreadFactory unused) {
    this.exceptionHandler = exceptionHandler;
    FixtureClock.register(this);
  }

  @Override
  public long getCurrentProcessingTime() {
    return FixtureClock.now();
  }

  /** Flink 1.20's timer services give their time as a Clock (Flink 1.18's have no such method). */
  public Clock getClock() {
    return new Clock() {
      @Override
      public long absoluteTimeMillis() {
        return FixtureClock.now();
      }

      @Override
      public long relativeTimeMillis() {
        return FixtureClock.now();
      }

      @Override
      public long relativeTimeNanos() {
        return FixtureClock.now() * 1_000_000;
      }
    };
  }

  @Override
  public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
    return schedule(new Timer(callback, timestamp + 1, timestamp, 0, false));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(ProcessingTimeCallback callback, long initialDelay, long period) {
    long first = FixtureClock.now() + initialDelay;
    return schedule(new Timer(callback, first, first, period, false));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(ProcessingTimeCallback callback, long initialDelay, long period) {
    long first = FixtureClock.now() + initialDelay;
    return schedule(new Timer(callback, first, first, period, true));
  }

  private synchronized ScheduledFuture<?> schedule(Timer timer) {
    if (status == Status.QUIESCED) return new NeverCompleteFuture(timer.getDelay(TimeUnit.MILLISECONDS));
    if (status == Status.SHUTDOWN) throw new IllegalStateException("Timer service is shut down");
    timer.order = registered++;
    timers.add(timer);
    fireDue();
    return timer;
  }

  /** Fires, in order, the timers the clock has reached; a periodic one is scheduled again. */
  synchronized void fireDue() {
    long now = FixtureClock.now();
    while (status == Status.ALIVE && !timers.isEmpty() && timers.peek().due <= now) {
      Timer timer = timers.poll();
      try {
        timer.callback.onProcessingTime(timer.timestamp);
      } catch (Exception failure) {
        exceptionHandler.handleException(failure);
      }
      if (timer.period == 0) {
        timer.done.complete(null);
        continue;
      }
      long next = timer.fixedDelay ? now + timer.period : timer.due + timer.period;
      if (next <= now) next += ((now - next) / timer.period + 1) * timer.period;
      timer.due = next;
      timer.timestamp = next;
      timer.order = registered++;
      timers.add(timer);
    }
  }

  @Override
  public synchronized boolean isTerminated() {
    return status == Status.SHUTDOWN;
  }

  @Override
  public synchronized CompletableFuture<Void> quiesce() {
    if (status == Status.ALIVE) status = Status.QUIESCED;
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized void shutdownService() {
    status = Status.SHUTDOWN;
    timers.clear();
    FixtureClock.unregister(this);
  }

  @Override
  public boolean shutdownServiceUninterruptible(long timeoutMs) {
    shutdownService();
    return true;
  }

  private final class Timer implements ScheduledFuture<Object> {
    final ProcessingTimeCallback callback;
    final long period;
    final boolean fixedDelay;
    final CompletableFuture<Object> done = new CompletableFuture<>();
    /** When the clock fires it, and the time its callback is given. */
    long due;
    long timestamp;
    long order;

    Timer(ProcessingTimeCallback callback, long due, long timestamp, long period, boolean fixedDelay) {
      this.callback = callback;
      this.due = due;
      this.timestamp = timestamp;
      this.period = period;
      this.fixedDelay = fixedDelay;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - FixtureClock.now(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      if (!(other instanceof Timer))
        return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
      Timer timer = (Timer) other;
      return due != timer.due ? Long.compare(due, timer.due) : Long.compare(order, timer.order);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (SystemProcessingTimeService.this) {
        timers.remove(this);
      }
      return done.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
      return done.isCancelled();
    }

    @Override
    public boolean isDone() {
      return done.isDone();
    }

    @Override
    public Object get() throws InterruptedException, ExecutionException {
      return done.get();
    }

    @Override
    public Object get(long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      return done.get(timeout, unit);
    }
  }
}
