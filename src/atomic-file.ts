// Writing a file so that readers see either the old contents or the new ones,
// never a torn mixture: write a temporary file next to the target, flush it to
// disk, then rename it over the target (rename is atomic within a directory
// on POSIX file systems and on NTFS). Node only; the Node modules are imported
// inside the function so a browser bundle does not load them.
import { SinapsisError } from './errors.js';

/** The error of a failed write, naming the file the caller asked for (not the temporary one). */
function writeError(path: string, dir: string, e: unknown): SinapsisError {
  const code = (e as { code?: string }).code;
  const why: Record<string, string> = {
    ENOENT: `the directory '${dir}' does not exist`,
    ENOTDIR: `'${dir}' is not a directory`,
    EACCES: `permission denied in '${dir}'`,
    EPERM: `permission denied in '${dir}'`,
    EISDIR: `'${path}' is a directory`,
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
  };
  const reason = (code && Object.hasOwn(why, code) ? why[code] : undefined) ?? (e as Error).message;
  // The system's error code stays readable (err.code), as on the error it replaces.
  return Object.assign(new SinapsisError(`cannot write '${path}': ${reason}; the previous file there, if any, is unchanged`), { code, cause: e });
}

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
    throw writeError(path, dir, e);
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
