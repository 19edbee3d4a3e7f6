import { useSession, type Organization } from '../session';

/** `GET /api/user` lists each organization with the caller's role in it. */
type OrganizationWithRole = Organization & { role?: string };

/**
 * The signed-in user's role in `org`, as `/api/user` said it: pages use it to offer only what the
 * API would allow. The API still decides: its refusals are shown as they come.
 */
export function useOrgRole(org: string): 'admin' | 'member' | undefined {
  const { user } = useSession();
  const membership = user?.organizations.find((o) => o.githubLogin === org) as OrganizationWithRole | undefined;
  return membership?.role === 'admin' ? 'admin' : membership ? 'member' : undefined;
}
