import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** A snapshot as the CLI packs it (packSnapshot.ts): files, symbolic links, the exclusion manifest; gzipped. */
export async function snapshotArchive(
  files: Record<string, string | Buffer>,
  links: Record<string, string> = {},
): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, body);
  for (const [name, linkname] of Object.entries(links)) pack.entry({ name, type: 'symlink', linkname });
  pack.entry({ name: '.codevf-snapshot.json' }, '{"version":"1"}\n');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return gzipSync(Buffer.concat(chunks));
}
