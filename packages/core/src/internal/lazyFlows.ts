/**
 * The flows that need `effect/Schema` (discovery, device authorization, introspection) or
 * `effect/Schedule` (device polling), loaded on first use: a program that never runs them does not
 * pay for those modules at import (`import("@grantflow/core")` stays close to `effect/Effect`'s
 * own import time). Each is the same function, with the same types, as in its own module
 * (`@grantflow/core/Discovery`, ...), which loads it eagerly.
 */
import * as Effect from "effect/Effect"
import type * as DeviceAuthorization from "../DeviceAuthorization.js"
import type * as Discovery from "../Discovery.js"
import type * as Introspection from "../Introspection.js"
import type * as PollDeviceAuthorization from "../PollDeviceAuthorization.js"

/** Loads a module once; later calls get it without a Promise. */
const lazy = <M>(load: () => Promise<M>): Effect.Effect<M> => {
  let loaded: M | undefined
  let loading: Promise<M> | undefined
  return Effect.suspend(() =>
    loaded !== undefined
      ? Effect.succeed(loaded)
      : Effect.promise(() => (loading ??= load().then((m) => (loaded = m)))),
  )
}

const discovery = lazy(() => import("../Discovery.js"))
const device = lazy(() => import("../DeviceAuthorization.js"))
const polling = lazy(() => import("../PollDeviceAuthorization.js"))
const introspection = lazy(() => import("../Introspection.js"))

export const discover: typeof Discovery.discover = (issuer, options) =>
  Effect.flatMap(discovery, (m) => m.discover(issuer, options))

export const deviceAuthorization: typeof DeviceAuthorization.deviceAuthorization = (provider, options) =>
  Effect.flatMap(device, (m) => m.deviceAuthorization(provider, options))

export const pollDeviceAuthorization: typeof PollDeviceAuthorization.pollDeviceAuthorization = (
  provider,
  grant,
) => Effect.flatMap(polling, (m) => m.pollDeviceAuthorization(provider, grant))

export const introspect: typeof Introspection.introspect = (provider, token, options) =>
  Effect.flatMap(introspection, (m) => m.introspect(provider, token, options))
