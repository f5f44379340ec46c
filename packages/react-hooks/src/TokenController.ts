import { refreshAt } from "@grantflow/kernel/RefreshTiming"
import { withCrossTabLock } from "./CrossTabLock.js"
import { OAuthTokenError } from "./OAuthTokenError.js"
import { makeSnapshot, type OAuthTokenState, type TokenActions, type TokenStatus } from "./TokenSnapshot.js"
import type { SourceToken, TokenSource } from "./TokenSource.js"
import { instanceId } from "./internal/random.js"

/** Tuning of the refresh point: the same names, defaults and rule as core's refresh policy (`@grantflow/kernel`'s `refreshAt`). */
export interface TokenControllerOptions {
  /** Refresh this long before expiry (default 60 000 ms). */
  readonly skewMs?: number
  /**
   * ...but at most this fraction of the token's lifetime before expiry (default 0.5), so a token
   * that lives 60 s is refreshed after 30 s rather than at once.
   */
  readonly maxSkewFraction?: number
}

/**
 * The framework-free token state machine behind `useOAuthToken`: React reads it with
 * `useSyncExternalStore`, other code calls it directly.
 *
 * @example
 * ```ts
 * const controller = createTokenController(backendSource({ tokenUrl: "/auth/token", loginUrl: "/auth/login", logoutUrl: "/auth/logout" }))
 * const token = await controller.getValidToken()
 * if (token) await fetch("/api/me", { headers: { authorization: `Bearer ${token}` } })
 * controller.dispose()
 * ```
 */
export interface TokenController extends TokenActions {
  /** Calls `listener` after every state change. The first subscriber starts loading, the refresh timer and the cross-tab channel; the last one to leave stops the timer and the channel. */
  readonly subscribe: (listener: () => void) => () => void
  /** The current state; the same object until something changes. */
  readonly getSnapshot: () => OAuthTokenState
  /** Always `idle`: the server knows nothing of this browser's token. */
  readonly getServerSnapshot: () => OAuthTokenState
  /** Stops timers and the channel for good. */
  readonly dispose: () => void
}

type Message =
  | { readonly type: "token"; readonly from: string; readonly token: SourceToken }
  | { readonly type: "logout"; readonly from: string }
  /** This tab found a session on load: signed-out tabs load their own (no token in the message). */
  | { readonly type: "signedIn"; readonly from: string }
  | { readonly type: "fence"; readonly from: string; readonly nonce: string }

const isSourceToken = (v: unknown): v is SourceToken => {
  const t = v as Partial<SourceToken> | null
  return (
    typeof t === "object" &&
    t !== null &&
    typeof t.accessToken === "string" &&
    (t.expiresAt === null || typeof t.expiresAt === "number") &&
    Array.isArray(t.scopes) &&
    typeof t.tokenType === "string"
  )
}

const toTokenError = (e: unknown): OAuthTokenError =>
  e instanceof OAuthTokenError
    ? e
    : new OAuthTokenError(
        "TransportError",
        `Token source failed: ${e instanceof Error ? e.message : String(e)}`,
      )

/** A fence message that never comes back means the channel is broken: refresh anyway. */
const FENCE_TIMEOUT_MS = 1_000

/** setTimeout's delay is a 32-bit integer; longer delays fire at once. */
const MAX_DELAY_MS = 2_147_483_647

/**
 * Creates the controller for one token source. Nothing runs until the first `subscribe` (or a call
 * to `getValidToken`/`refresh`), so it is safe to create during render and on the server.
 */
export const createTokenController = (
  source: TokenSource,
  options: TokenControllerOptions = {},
): TokenController => {
  // No jitter: the tabs of one browser renew under one cross-tab lock, not side by side.
  const timing = { skewMs: options.skewMs, maxSkewFraction: options.maxSkewFraction, jitterFraction: 0 }
  const id = instanceId()
  const lockName = `grantflow:refresh:${source.key}`
  const channelName = `grantflow:${source.key}`

  let status: TokenStatus = "idle"
  let token: SourceToken | null = null
  let receivedAt = 0
  let error: OAuthTokenError | null = null
  /** This tab held a token since it last signed out: only such a tab takes other tabs' tokens. */
  let hadSession = false

  const listeners = new Set<() => void>()
  let loading: Promise<void> | undefined
  let refreshing: Promise<void> | undefined
  /** Bumped by logout and by adopting another tab's state: in-flight results from before are stale. */
  let epoch = 0
  /** Bumped when another tab's token is adopted. */
  let adoptions = 0
  const fences = new Map<string, () => void>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let channel: BroadcastChannel | undefined
  let disposed = false

  const dueAt = (t: SourceToken): number =>
    refreshAt(t.expiresAt, t.expiresAt === null ? undefined : Math.max(0, t.expiresAt - receivedAt), timing)
  const isDue = (): boolean => token !== null && Date.now() >= dueAt(token)

  const getValidToken = async (): Promise<string | null> => {
    await ensureLoaded()
    if (refreshing) await refreshing
    if (status === "authenticated" && isDue()) await runRefresh()
    if (status === "error") throw error
    return status === "authenticated" && token ? token.accessToken : null
  }
  const actions: TokenActions = {
    login: () => login(),
    logout: () => logout(),
    refresh: () => runRefresh(),
    getValidToken,
  }

  let snapshot = makeSnapshot("idle", null, null, actions)
  let serverSnapshot: OAuthTokenState | undefined

  const set = (
    nextStatus: TokenStatus,
    nextToken: SourceToken | null,
    nextError: OAuthTokenError | null,
  ): void => {
    if (nextToken !== token) receivedAt = Date.now()
    status = nextStatus
    token = nextToken
    error = nextError
    snapshot = makeSnapshot(status, token, error, actions)
    scheduleRefresh()
    for (const listener of listeners) listener()
  }
  const accept = (t: SourceToken | null): void => {
    hadSession = t !== null
    set(t ? "authenticated" : "idle", t, null)
  }
  const fail = (e: unknown): void => set("error", null, toTokenError(e))

  const scheduleRefresh = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (disposed || listeners.size === 0 || status !== "authenticated" || !token) return
    const at = dueAt(token)
    if (at === Infinity) return
    timer = setTimeout(
      () => {
        timer = undefined
        // A clamped delay wakes us early: only refresh when the token really is due.
        if (isDue()) void runRefresh()
        else scheduleRefresh()
      },
      Math.min(MAX_DELAY_MS, Math.max(0, at - Date.now())),
    )
  }

  const ensureLoaded = (): Promise<void> => {
    if (loading || disposed) return loading ?? Promise.resolve()
    const started = epoch
    set("loading", null, null)
    loading = source.load().then(
      (t) => {
        if (epoch !== started) return
        accept(t)
        if (t !== null) post({ type: "signedIn", from: id })
      },
      (e: unknown) => {
        if (epoch === started) fail(e)
      },
    )
    return loading
  }

  const onMessage = (event: MessageEvent): void => {
    const m = event.data as (Partial<Message> & { nonce?: unknown }) | null
    if (disposed || !m) return
    if (m.type === "fence") {
      if (m.from === id && typeof m.nonce === "string") fences.get(m.nonce)?.()
      return
    }
    if (m.from === id) return
    if (m.type === "token" && isSourceToken(m.token)) {
      // A tab that never signed in stays signed out (it signs in itself, like any page), so a
      // PKCE refresh token only moves between tabs that already share its session.
      if (!hadSession) return
      epoch++
      adoptions++
      source.adopt?.(m.token)
      accept(m.token)
    } else if (m.type === "signedIn" && status === "idle" && !hadSession) {
      // Another tab signed in, e.g. after the login redirect. With a backend session the cookie is
      // shared, so this tab asks its own source (a PKCE tab finds no session of its own and stays
      // signed out): the message carries no token, so nothing crosses to a tab that had none.
      const started = epoch
      source.load().then(
        (t) => {
          if (t !== null && epoch === started && status === "idle" && !disposed) accept(t)
        },
        () => undefined,
      )
    } else if (m.type === "logout" && status !== "idle") {
      epoch++
      source.adopt?.(null)
      accept(null)
    }
  }

  const openChannel = (): BroadcastChannel | undefined => {
    if (!channel && !disposed && typeof BroadcastChannel === "function") {
      channel = new BroadcastChannel(channelName)
      channel.onmessage = onMessage
    }
    return channel
  }
  const closeChannel = (): void => {
    channel?.close()
    channel = undefined
  }
  const post = (message: Message): void => {
    const open = channel
    const ch =
      open ?? (typeof BroadcastChannel === "function" ? new BroadcastChannel(channelName) : undefined)
    ch?.postMessage(message)
    if (!open) ch?.close()
  }

  /**
   * Resolves once every channel message posted before now has reached this tab. BroadcastChannel
   * delivers to each receiver in posting order, so when our own fence message comes back through a
   * second channel object, a token another tab posted before releasing the lock has been handled:
   * the lock grant and that message would otherwise race (Node delivers the grant first).
   */
  const fence = (): Promise<void> =>
    new Promise((resolve) => {
      if (!channel) return resolve()
      const nonce = instanceId()
      const probe = new BroadcastChannel(channelName)
      const done = (): void => {
        clearTimeout(timeout)
        fences.delete(nonce)
        probe.close()
        resolve()
      }
      const timeout = setTimeout(done, FENCE_TIMEOUT_MS)
      fences.set(nonce, done)
      probe.postMessage({ type: "fence", from: id, nonce } satisfies Message)
    })

  /** After the lock: has another tab refreshed since we asked? Then its token is ours too. */
  const refreshedElsewhere = async (adoptionsBefore: number): Promise<boolean> => {
    await fence()
    return adoptions !== adoptionsBefore && status === "authenticated" && !isDue()
  }

  const doRefresh = async (): Promise<void> => {
    await ensureLoaded()
    if (disposed) return
    const adoptionsBefore = adoptions
    const hadChannel = channel !== undefined
    openChannel()
    if (status !== "authenticated") set("loading", null, null)
    try {
      await withCrossTabLock(lockName, async () => {
        if (disposed || (await refreshedElsewhere(adoptionsBefore))) return
        const started = epoch
        try {
          const next = await source.refresh(token)
          if (epoch !== started || disposed) return
          accept(next)
          // Posted before the lock is released: see `fence`.
          post(next ? { type: "token", from: id, token: next } : { type: "logout", from: id })
        } catch (e) {
          if (epoch === started) fail(e)
        }
      })
    } catch (e) {
      fail(e)
    } finally {
      if (!hadChannel && listeners.size === 0) closeChannel()
    }
  }

  const runRefresh = (): Promise<void> => {
    refreshing ??= doRefresh().finally(() => {
      refreshing = undefined
    })
    return refreshing
  }

  const login = async (): Promise<void> => {
    try {
      await source.login()
    } catch (e) {
      fail(e)
    }
  }

  const logout = async (): Promise<void> => {
    epoch++
    const current = token
    try {
      await source.logout(current)
    } catch (e) {
      fail(e)
      return
    }
    accept(null)
    post({ type: "logout", from: id })
  }

  const subscribe = (listener: () => void): (() => void) => {
    listeners.add(listener)
    if (listeners.size === 1 && !disposed) {
      openChannel()
      void ensureLoaded()
      scheduleRefresh()
    }
    return () => {
      if (listeners.delete(listener) && listeners.size === 0) {
        if (timer !== undefined) clearTimeout(timer)
        timer = undefined
        closeChannel()
      }
    }
  }

  return {
    ...actions,
    subscribe,
    getSnapshot: () => snapshot,
    getServerSnapshot: () => (serverSnapshot ??= makeSnapshot("idle", null, null, actions)),
    dispose: () => {
      disposed = true
      epoch++
      listeners.clear()
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      closeChannel()
    },
  }
}
