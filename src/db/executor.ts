import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What every store function takes first: the database or a transaction on it. */
export type Executor = Kysely<Database>;
