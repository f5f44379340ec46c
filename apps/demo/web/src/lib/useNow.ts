import { useEffect, useState } from "react"

/** `Date.now()`, updated every `intervalMs` while the component is mounted (countdowns). */
export const useNow = (intervalMs = 1000): number => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}
