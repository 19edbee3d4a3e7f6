import { ApiError } from '../../errors.js';

// The same rules the Pulumi CLI applies before it calls the service, so a name the CLI
// would reject never gets stored (sdk/go/common/tokens, pkg/util/validation).

const organizationPattern = /^[a-zA-Z0-9][a-zA-Z0-9-_]{1,38}[a-zA-Z0-9]$/;
const projectOrStackPattern = /^[A-Za-z0-9_.-]+$/;
const tagNamePattern = /^[a-zA-Z0-9-_.:]{1,40}$/;

function reject(message: string): never {
  throw new ApiError('bad_request', message);
}

export function validateOrganizationName(name: string): void {
  if (!organizationPattern.test(name)) {
    reject(
      `invalid organization name '${name}': it must be 3 to 40 characters of letters, digits, '-' and '_', ` +
        'and start and end with a letter or digit',
    );
  }
}

function validateProjectOrStack(kind: 'project' | 'stack', name: string): void {
  if (name.length === 0) reject(`${kind} names may not be empty`);
  if (name.length > 100) reject(`invalid ${kind} name '${name}': ${kind} names are limited to 100 characters`);
  if (!projectOrStackPattern.test(name)) {
    reject(`invalid ${kind} name '${name}': ${kind} names may only contain alphanumerics, hyphens, underscores, and periods`);
  }
}

export const validateProjectName = (name: string) => validateProjectOrStack('project', name);
export const validateStackName = (name: string) => validateProjectOrStack('stack', name);

export function validateTag(name: string, value: string): void {
  if (!tagNamePattern.test(name)) {
    reject(
      `invalid tag name '${name}': tag names must be 1 to 40 characters of alphanumerics, hyphens, underscores, periods, or colons`,
    );
  }
  if (value.length > 256) reject(`invalid value for tag '${name}': tag values are limited to 256 characters`);
}

/** A stack's address: organization, project and stack names. */
export interface StackRef {
  organization: string;
  project: string;
  stack: string;
}

export const stackLabel = (ref: StackRef) => `${ref.organization}/${ref.project}/${ref.stack}`;
