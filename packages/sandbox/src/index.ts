export { DEFAULT_CLIENTS, type SandboxClient, type SandboxClientUpdate } from "./Clients.js"
export { FAULT_TARGETS, type Fault, type FaultTarget, type SandboxFaults } from "./Faults.js"
export type { ProviderName } from "./Provider.js"
export {
  startSandbox,
  type CryptofuseEndpoints,
  type CryptohopperEndpoints,
  type Sandbox,
} from "./Sandbox.js"
export type { ConsentMode, SandboxOptions } from "./SandboxOptions.js"
export type { SandboxStats } from "./Stats.js"
