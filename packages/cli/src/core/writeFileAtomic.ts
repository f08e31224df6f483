import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces a file so that a reader sees the old content or the new, never half of either:
 * write a sibling temp file, flush it, rename over the target (atomic on one file system).
 * The temp file is created with `mode` from its first byte (0600 for the login file), and with
 * 'wx', so a name clash fails instead of sharing a file. The name needs to be unique, not
 * unguessable: process id and a counter (node:crypto stays unloaded on the CLI's start path).
 */
let written = 0;

export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${(written++).toString(36)}.tmp`;
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
