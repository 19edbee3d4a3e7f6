import { useParams } from 'react-router';
import { seg } from '../api';
import { useSession } from '../session';
import { TokensPanel } from './TokensPanel';

/** `/user/settings/tokens`, where `pulumi login` sends people for a token: the signed-in user's own. */
export function UserTokensPage() {
  const { user } = useSession();
  return (
    <section>
      <h1>Personal access tokens</h1>
      <p className="muted">
        Tokens that act as {user?.githubLogin}, in every organization you belong to. Paste one at <code>pulumi login</code>'s prompt.
      </p>
      <TokensPanel path="/api/user/tokens" named={false} title="Your tokens" />
    </section>
  );
}

/** `/{org}/settings/tokens`: the organization's tokens, which act as no person; admins only. */
export function OrgTokensPage() {
  const org = useParams().org!;
  return (
    <section>
      <h1>Access tokens of {org}</h1>
      <p className="muted">Organization tokens act for the organization, not a person: for CI and other machines. Team tokens are on each team's page.</p>
      <TokensPanel path={`/api/orgs/${seg(org)}/tokens`} named adminOption title="Organization tokens" />
    </section>
  );
}
