/** Idle worker loops sleep here until the polling interval passes or a local enqueue of their job name wakes them. */
export class Wakeup {
  private readonly sleepers = new Map<string, Set<() => void>>();

  sleep(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.sleepers.get(name) ?? new Set<() => void>();
      this.sleepers.set(name, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  wake(name: string): void {
    for (const done of [...(this.sleepers.get(name) ?? [])]) done();
  }

  wakeAll(): void {
    for (const name of this.sleepers.keys()) this.wake(name);
  }
}
