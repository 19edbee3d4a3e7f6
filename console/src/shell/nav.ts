/** The organization's pages in the header's navigation, in order; each area adds its own. */
export interface NavItem {
  label: string;
  /** The page's path under `/{org}`: '' for the organization's home (its stacks). */
  path: string;
}

export const orgNav: NavItem[] = [{ label: 'Stacks', path: '' }];
