import type { ProviderLoader } from '../../esc/eval.js';

/**
 * The providers and rotators `fn::open` and `fn::rotate` reach. Cloud ones (aws-login,
 * aws-secrets, azure-login, gcp-login, vault-…) need credentials this server does not hold: each
 * answers with a diagnostic naming it, rather than an unknown-provider error or a 500.
 */
export const unconfiguredProviders: ProviderLoader = {
  async loadProvider(name: string) {
    throw new Error(`provider '${name}' is not configured on this server`);
  },
  async loadRotator(name: string) {
    throw new Error(`rotator '${name}' is not configured on this server`);
  },
};
