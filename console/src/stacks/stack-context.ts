// The stack the page shows, as its layout read it, and the API paths under it.
import { useOutletContext } from 'react-router';
import { seg } from '../api';
import type { Stack } from './types';

export interface StackContext {
  stack: Stack;
  /** `/api/stacks/{org}/{project}/{stack}` */
  apiPath: string;
  /** `/{org}/{project}/{stack}` in the console. */
  pagePath: string;
}

export const stackPaths = (org: string, project: string, stack: string) => {
  const tail = `${seg(org)}/${seg(project)}/${seg(stack)}`;
  return { apiPath: `/api/stacks/${tail}`, pagePath: `/${tail}` };
};

export const useStack = (): StackContext => useOutletContext<StackContext>();
