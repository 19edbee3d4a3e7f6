import { useStackRef } from './stack-api';
import { WebhooksPanel } from './WebhooksPanel';

/** `…/webhooks`: the stack's own webhooks. */
export function StackWebhooksTab() {
  const { org, project, stack, apiPath } = useStackRef();
  return <WebhooksPanel key={apiPath} path={`${apiPath}/hooks`} scope="stack" body={{ organizationName: org, projectName: project, stackName: stack }} />;
}
