/**
 * A one-line progress indicator on stderr while the CLI waits for a person (the browser, a device
 * approval). On a terminal it animates and erases itself; elsewhere (a pipe, a CI log) the message
 * is printed once, so logs stay readable.
 */
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

export interface Spinner {
  readonly stop: () => void
}

export const start = (message: string, stream: NodeJS.WriteStream = process.stderr): Spinner => {
  if (!stream.isTTY) {
    stream.write(`${message}\n`)
    return { stop: () => undefined }
  }
  let frame = 0
  const draw = () => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${message}\x1b[K`)
  draw()
  const timer = setInterval(draw, 80)
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
      stream.write("\r\x1b[K")
    },
  }
}
