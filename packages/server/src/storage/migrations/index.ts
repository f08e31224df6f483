import type { Migration } from 'kysely/migration';
import * as m001 from './001_initial';
import * as m002 from './002_transcript_checkpoints';
import * as m003 from './003_presence';
import * as m004 from './004_ai';
import * as m005 from './005_instances';
import * as m006 from './006_task_driver';
import * as m007 from './007_resolution';

/**
 * Every migration, in order. Listed statically (not read from a folder) so the server can be
 * bundled into one file. Names are never changed once released.
 */
export const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_transcript_checkpoints': m002,
  '003_presence': m003,
  '004_ai': m004,
  '005_instances': m005,
  '006_task_driver': m006,
  '007_resolution': m007,
};
