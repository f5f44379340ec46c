/** An identifier that only has to be unique among this origin's tabs (not a secret). */
export const instanceId = (): string => Math.random().toString(36).slice(2) + Date.now().toString(36)
