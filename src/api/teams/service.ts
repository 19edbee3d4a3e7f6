import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';

/** Teams of an organization, their members and their stack permissions. */
export class TeamService {
  constructor(readonly deps: { db: Executor; clock: Clock; ids: IdGenerator }) {}
}
