/**
 * The demo's own Passport instance (not the `passport` singleton, so that two demos in one process,
 * as in the tests, keep their strategies apart) with `GrantflowStrategy` registered as
 * "cryptohopper". The strategy uses the Nest module's Cryptohopper client, so its tokens land in
 * the same TokenStore the pages read.
 */
import type { OAuthClient } from "@grantflow/core"
import { GrantflowStrategy } from "@grantflow/passport-strategy"
import passport from "passport"
import type { HopperConnection } from "../connections/hopper-connection.service.js"
import { HOPPER_DEFAULT_SCOPES } from "../demo-runtime.js"
import { isHopperUser } from "../http/session-data.js"

/** Nest injection token of the demo's Passport instance. */
export const PASSPORT = Symbol.for("@grantflow/demo/Passport")

/** The strategy name, as in `passport.authenticate(HOPPER_STRATEGY)`. */
export const HOPPER_STRATEGY = "cryptohopper"

/** A Passport instance (`new passport.Passport()`). */
export type DemoPassport = passport.Authenticator

/** A Passport instance with the Cryptohopper strategy and the session (de)serialization of connections. */
export const createPassport = (
  client: OAuthClient,
  hopper: HopperConnection,
  callbackURL: string,
): DemoPassport => {
  const instance = new passport.Passport()
  const strategy = new GrantflowStrategy(
    { client, scopes: HOPPER_DEFAULT_SCOPES, callbackURL, name: HOPPER_STRATEGY },
    // The tokens go to the TokenStore; the session only learns the connection id.
    (tokens) => hopper.connect(tokens),
  )
  instance.use(HOPPER_STRATEGY, strategy as unknown as passport.Strategy)
  instance.serializeUser((user, done) => done(null, user))
  instance.deserializeUser((stored: unknown, done) => done(null, isHopperUser(stored) ? stored : false))
  return instance
}
