/**
 * Whole-file writes that a crash cannot tear: the data goes to a fresh temporary file beside the
 * target (mode 0600), is flushed to disk (fsync), renamed over the target (atomic on POSIX), and
 * the directory is flushed so the rename itself survives a power cut. A reader sees the old file
 * or the new one, never half of either.
 */
import { randomBytes } from "node:crypto"
import { open, rename, rm, unlink } from "node:fs/promises"
import { dirname } from "node:path"

/** Suffix of temporary files; a crash between write and rename can leave one behind, which readers ignore. */
export const TEMP_SUFFIX = ".tmp"

/** Flushes a directory's entries (renames, unlinks) to disk. */
export const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Replaces `path` with `data`, atomically and durably, as a 0600 file. */
export const write = async (path: string, data: string): Promise<void> => {
  const temp = `${path}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`
  const handle = await open(temp, "wx", 0o600)
  try {
    try {
      await handle.writeFile(data, "utf8")
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncDirectory(dirname(path))
}

/** Removes `path` if it exists (durably); true when it existed. */
export const remove = async (path: string): Promise<boolean> => {
  try {
    await unlink(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false
    throw error
  }
  await syncDirectory(dirname(path))
  return true
}
