import type { RedisClientLike, RedisSubscriberLike } from "../RedisClient.js"

/**
 * Listens on one pub/sub channel where lock holders announce releases, so a waiter retries at
 * once instead of at its next poll. Best effort by design: until the subscription is up, or when
 * it cannot be made (no `duplicate`, ACLs), waiters simply poll.
 */
export class ReleaseNotifier {
  private readonly listeners = new Map<string, Set<() => void>>()
  private subscriber: RedisSubscriberLike | undefined
  private started = false
  private closed = false
  /** Counts every release heard, so a waiter can tell that one happened while it was trying. */
  seq = 0

  constructor(
    private readonly client: RedisClientLike,
    readonly channel: string,
  ) {}

  /** Opens the listening connection on first contention; later calls do nothing. */
  start(): void {
    if (this.started || this.closed || this.client.duplicate === undefined) return
    this.started = true
    let subscriber: RedisSubscriberLike
    try {
      subscriber = this.client.duplicate()
    } catch {
      return
    }
    this.subscriber = subscriber
    subscriber.on("error", () => {})
    // The listening connection alone must not keep a process alive that has nothing else to do.
    subscriber.unref?.()
    subscriber
      .connect()
      .then(() => subscriber.subscribe(this.channel, (message) => this.notify(message)))
      .catch(() => {
        this.subscriber = undefined
        subscriber.destroy()
      })
  }

  /** Calls `listener` on the next release of `key`; returns a function that stops listening. */
  listen(key: string, listener: () => void): () => void {
    let set = this.listeners.get(key)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(key, set)
    }
    set.add(listener)
    return () => {
      const current = this.listeners.get(key)
      if (current === undefined) return
      current.delete(listener)
      if (current.size === 0) this.listeners.delete(key)
    }
  }

  private notify(key: string): void {
    this.seq++
    const set = this.listeners.get(key)
    if (set === undefined) return
    // A snapshot: a woken waiter may register again while we iterate.
    for (const listener of Array.from(set)) listener()
  }

  close(): void {
    this.closed = true
    this.subscriber?.destroy()
    this.subscriber = undefined
  }
}
