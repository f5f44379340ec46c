// packages/passport-strategy/README.md's first example, as a file the tests run.
// Run: `node examples/passport-strategy.ts` (Node >= 22.19, core's floor),
// then open http://localhost:3000. It uses the sandbox at
// GRANTFLOW_SANDBOX_URL (`pnpm sandbox`) when set, else starts one of its own. Ctrl-C stops it.
import express from "express"
import session from "express-session"
import passport from "passport"
import { Providers, type TokenSet } from "@grantflow/core"
import { startSandbox } from "@grantflow/sandbox"
import { GrantflowStrategy } from "@grantflow/passport-strategy"

const port = Number(process.env.PORT ?? 3000)
const own = process.env.GRANTFLOW_SANDBOX_URL ? undefined : await startSandbox() // a local Cryptohopper look-alike
const base = process.env.GRANTFLOW_SANDBOX_URL ?? own!.url // drop `endpoints` below for the real Cryptohopper
const provider = Providers.cryptohopper({
  clientId: "hopper-app",
  clientSecret: "hopper-secret",
  redirectUri: `http://localhost:${port}/auth/cryptohopper/callback`,
  endpoints: {
    authorization: `${base}/cryptohopper/oauth2/authorize`,
    token: `${base}/cryptohopper/oauth2/token`,
    api: `${base}/cryptohopper/v1`,
  },
})
const verify = async (tokens: TokenSet) => ({ scopes: tokens.scopes }) // your user, from the tokens
passport.use(new GrantflowStrategy({ provider, scopes: ["read", "user"] }, verify))
passport.serializeUser((user, done) => done(null, user))
passport.deserializeUser((user: Express.User, done) => done(null, user))

const app = express()
app.use(session({ secret: "change-me", resave: false, saveUninitialized: false }), passport.session())
const login = passport.authenticate("cryptohopper", { failureRedirect: "/", successRedirect: "/" })
app.get("/auth/cryptohopper", login) // redirects to the provider
app.get("/auth/cryptohopper/callback", login) // comes back with ?code&state, or ?error
app.get("/", (req, res) => res.send(JSON.stringify(req.user) ?? '<a href="/auth/cryptohopper">Connect</a>'))
const server = app.listen(port, () => console.log(`listening on http://localhost:${port}`))
const stop = () => server.close(() => void own?.stop()) // then the process exits on its own
process.once("SIGINT", stop).once("SIGTERM", stop)
