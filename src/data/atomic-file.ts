// Writing a file so that readers see either the old contents or the new ones,
// never a torn mixture: write a temporary file next to the target, flush it to
// disk, then rename it over the target (rename is atomic within a directory
// on POSIX file systems and on NTFS). Node only; the Node modules are imported
// inside the function so a browser bundle does not load them.

/**
 * Atomically replaces (or creates) `path` with `bytes`. On any failure the
 * temporary file is removed, the previous file at `path` is left untouched,
 * and the error is rethrown.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const dir = dirname(path);
  const random = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${random}.tmp`);
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(tmp, 'wx'); // 'x': never follow or clobber an existing file
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  // Make the rename itself durable. Directories cannot be opened for sync on
  // every platform (Windows), and the data is already safe, so this is best effort.
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}
