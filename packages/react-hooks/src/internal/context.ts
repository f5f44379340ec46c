import { createContext } from "react"
import type { TokenController } from "../TokenController.js"

export const StoreContext = createContext<TokenController | null>(null)
