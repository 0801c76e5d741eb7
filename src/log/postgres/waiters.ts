/**
 * Wake-ups per topic. Each NOTIFY bumps the topic's counter; a reader notes the counter before it
 * reads and, finding nothing, waits for the counter to move, so a notification that arrives
 * between its read and its wait is never lost.
 */
export class TopicWaiters {
  private readonly counters = new Map<number, number>();
  private readonly waiting = new Map<number, Set<() => void>>();

  count(topicId: number): number {
    return this.counters.get(topicId) ?? 0;
  }

  wake(topicId: number): void {
    this.counters.set(topicId, this.count(topicId) + 1);
    const callbacks = this.waiting.get(topicId);
    if (!callbacks) return;
    this.waiting.delete(topicId);
    for (const callback of callbacks) callback();
  }

  wakeAll(): void {
    for (const id of [...this.waiting.keys()]) this.wake(id);
  }

  wait(topicId: number, seen: number, timeoutMs: number): Promise<void> {
    if (this.count(topicId) !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      let callbacks = this.waiting.get(topicId);
      if (!callbacks) {
        callbacks = new Set();
        this.waiting.set(topicId, callbacks);
      }
      const done = () => {
        clearTimeout(timer);
        callbacks?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      callbacks.add(done);
    });
  }
}
