import { useParams } from 'react-router';
import { seg } from '../api';

/** The stack the tab is on, from the URL, and its API path `/api/stacks/{org}/{project}/{stack}`. */
export function useStackRef() {
  const { org = '', project = '', stack = '' } = useParams();
  return { org, project, stack, apiPath: `/api/stacks/${seg(org)}/${seg(project)}/${seg(stack)}` };
}
