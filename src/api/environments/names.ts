/** Environments of the older two-part paths (and imports naming no project) live in this project, as ESC moved them. */
export const legacyProject = 'default';

/** An environment as imports and stack configs name it. */
export interface EnvironmentReference {
  project: string;
  name: string;
  /** A revision number or tag; absent: the latest. */
  version?: string;
}

/** `project/name`, `name` (project `default`), with an optional `@revision-or-tag`. */
export function parseEnvironmentReference(text: string): EnvironmentReference {
  const [path, version] = text.split('@', 2) as [string, string | undefined];
  const parts = path.split('/');
  if (parts.length === 1) return { project: legacyProject, name: parts[0]!, version };
  if (parts.length === 2) return { project: parts[0]!, name: parts[1]!, version };
  throw new Error(`environment name '${text}' must be 'project/name'`);
}
