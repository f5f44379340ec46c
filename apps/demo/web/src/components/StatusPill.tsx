import type { ReactNode } from "react"

export type Tone = "ok" | "idle" | "busy" | "warn" | "bad"

/** A connection's state at a glance: a coloured dot and a word. */
export function StatusPill({ tone, id, children }: { tone: Tone; id?: string; children: ReactNode }) {
  return (
    <span className={`pill pill-${tone}`} id={id} data-tone={tone}>
      <span className="pill-dot" aria-hidden="true" />
      {children}
    </span>
  )
}
