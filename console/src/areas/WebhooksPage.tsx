import { useParams } from 'react-router';
import { seg } from '../api';
import { WebhooksPanel } from './WebhooksPanel';

/** `/{org}/settings/webhooks`: the organization's webhooks. */
export function WebhooksPage() {
  const { org = '' } = useParams();
  return (
    <section>
      <h1>Webhooks</h1>
      <WebhooksPanel key={org} path={`/api/orgs/${seg(org)}/hooks`} scope="organization" body={{ organizationName: org }} />
    </section>
  );
}
