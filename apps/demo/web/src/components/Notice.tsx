import type { ReactNode } from "react"

/** A message in a card: an error is an alert (read out at once), anything else a polite status. */
export function Notice({
  kind,
  title,
  children,
  onDismiss,
}: {
  kind: "info" | "success" | "error"
  title?: string
  children: ReactNode
  onDismiss?: () => void
}) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      <span className="notice-icon" aria-hidden="true">
        {kind === "error" ? "!" : kind === "success" ? "✓" : "i"}
      </span>
      <div className="notice-body">
        {title === undefined ? null : <p className="notice-title">{title}</p>}
        <p className="notice-text">{children}</p>
      </div>
      {onDismiss === undefined ? null : (
        <button type="button" className="notice-close" onClick={onDismiss} aria-label="Dismiss message">
          ×
        </button>
      )}
    </div>
  )
}
