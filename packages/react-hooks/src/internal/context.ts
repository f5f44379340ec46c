import { createContext } from "react"
import type { TokenController } from "../TokenController.js"

export const ControllerContext = createContext<TokenController | null>(null)
