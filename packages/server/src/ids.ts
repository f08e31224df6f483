import { randomBytes } from 'node:crypto';

/** A random, URL-safe id (128 bits). Used for every primary key, so ids reveal no order or count. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
