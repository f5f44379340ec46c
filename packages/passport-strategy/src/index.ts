export * from "./GrantflowStrategy.js"
