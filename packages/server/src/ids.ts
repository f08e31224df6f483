import { randomBytes } from 'node:crypto';

/**
 * A random, URL-safe id (128 bits). Used for every primary key, so ids reveal no order or count.
 * Never starts with `-`: task and request ids are command-line arguments (`codevf share-output
 * <taskId> <requestId>`), and an argument that starts with `-` is read as an option. One id in 64
 * would; those are drawn again, so the rest stay uniform.
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (id[0] !== '-') return id;
  }
}
