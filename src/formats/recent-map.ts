import { detach } from '../input/lines.js';

/**
 * Per-session state in logs that may never say a session ended (log_disconnections off): a map of at most
 * `max` keys. Past it, the tenth of the keys used least recently is dropped, so a long-lived pooled connection
 * keeps its state while a stream of short sessions that never disconnect costs no more than `max` entries.
 */
export class RecentMap<V> {
  private readonly map = new Map<string, { value: V; used: number }>();
  private clock = 0;
  /** Keys dropped at the limit so far. */
  dropped = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    e.used = ++this.clock;
    return e.value;
  }

  set(key: string, value: V): void {
    const e = this.map.get(key);
    if (e !== undefined) {
      e.value = value;
      e.used = ++this.clock;
      return;
    }
    // a key cut from a line would keep the line's whole 1 MiB decode window alive for as long as the entry
    this.map.set(detach(key), { value, used: ++this.clock });
    if (this.map.size > this.max) this.shrink();
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Drop the least recently used tenth (at least one key): the work is spread over the keys added since. */
  private shrink(): void {
    const uses = [...this.map.values()].map((e) => e.used).sort((a, b) => a - b);
    const below = uses[Math.max(1, Math.floor(this.max / 10)) - 1]!;
    for (const [k, e] of this.map) {
      if (e.used <= below) {
        this.map.delete(k);
        this.dropped++;
      }
    }
  }
}
