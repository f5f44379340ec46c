import { createContext } from "react"
import type { TokenStore } from "../TokenStore.js"

export const StoreContext = createContext<TokenStore | null>(null)
