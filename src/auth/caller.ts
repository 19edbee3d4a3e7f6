import type { UserRow } from '../api/user/store.js';

/** Who is making a request, as established by the Authorization header. */
export interface Caller {
  user: UserRow;
  tokenId: string;
}
