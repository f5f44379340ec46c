/**
 * Web Storage that may be missing (server, workers) or throw (sandboxed iframes, storage
 * disabled): every access degrades to "nothing stored" instead of crashing the app.
 */
type Kind = "localStorage" | "sessionStorage"

const area = (kind: Kind): Storage | undefined => {
  try {
    return (globalThis as { [K in Kind]?: Storage })[kind] ?? undefined
  } catch {
    return undefined
  }
}

export const hasStorage = (kind: Kind): boolean => area(kind) !== undefined

export const readJson = (kind: Kind, key: string): unknown => {
  try {
    const raw = area(kind)?.getItem(key)
    return raw == null ? undefined : JSON.parse(raw)
  } catch {
    return undefined
  }
}

export const writeJson = (kind: Kind, key: string, value: unknown): void => {
  try {
    area(kind)?.setItem(key, JSON.stringify(value))
  } catch {
    // Quota or privacy mode: the value only lives in memory then.
  }
}

export const remove = (kind: Kind, key: string): void => {
  try {
    area(kind)?.removeItem(key)
  } catch {
    // Nothing stored that we could remove.
  }
}
