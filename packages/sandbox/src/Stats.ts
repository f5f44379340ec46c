import type { FaultTarget } from "./Faults.js"
import type { ProviderName } from "./Provider.js"

/** Request counters, so tests can assert how often a client hit the sandbox (e.g. that a cache works). */
export interface SandboxStats {
  /** POSTs that reached a token endpoint (counted before any fault is applied). */
  tokenRequests(target?: ProviderName): number
  /** Requests of any method that reached a fault target's path (counted before any fault is applied). */
  requests(target?: FaultTarget): number
  /** Sets every counter back to zero. */
  reset(): void
}

/** The mutable counters behind {@link SandboxStats}. */
export class StatsCounter implements SandboxStats {
  readonly #tokenRequests = new Map<ProviderName, number>()
  readonly #requests = new Map<FaultTarget, number>()

  countTokenRequest(provider: ProviderName): void {
    this.#tokenRequests.set(provider, (this.#tokenRequests.get(provider) ?? 0) + 1)
  }

  countRequest(target: FaultTarget): void {
    this.#requests.set(target, (this.#requests.get(target) ?? 0) + 1)
  }

  tokenRequests(target?: ProviderName): number {
    if (target) return this.#tokenRequests.get(target) ?? 0
    let total = 0
    for (const n of this.#tokenRequests.values()) total += n
    return total
  }

  requests(target?: FaultTarget): number {
    if (target) return this.#requests.get(target) ?? 0
    let total = 0
    for (const n of this.#requests.values()) total += n
    return total
  }

  reset(): void {
    this.#tokenRequests.clear()
    this.#requests.clear()
  }
}
