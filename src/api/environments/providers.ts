import type { Caller } from '../../auth/caller.js';
import type { Provider, ProviderLoader } from '../../esc/eval.js';
import { schemaBuilders as S } from '../../esc/schema.js';
import { fromJSON, makeSecret, type EscValue } from '../../esc/value.js';

/** Pulumi's secret marker in a deployment: an object with this key holds a ciphertext. */
const secretSignature = '4dabf18193072939515e22adb298388d';

/** What the `pulumi-stacks` provider needs of the server: a stack's latest deployment, and its secrets opened. */
export interface StackOutputsSource {
  exportLatest(caller: Caller, ref: { organization: string; project: string; stack: string }): Promise<Buffer>;
  decrypt(caller: Caller, ref: { organization: string; project: string; stack: string }, ciphertexts: string[]): Promise<string[]>;
}

/**
 * The providers and rotators `fn::open` and `fn::rotate` reach, for one caller in one
 * organization. `pulumi-stacks` reads stack outputs from this server with the caller's own
 * permissions. Cloud ones (aws-login, aws-secrets, azure-login, gcp-login, vault-…) need
 * credentials this server does not hold: each answers with a diagnostic naming it.
 */
export function providersFor(caller: Caller, organization: string, stacks: StackOutputsSource): ProviderLoader {
  return {
    async loadProvider(name: string) {
      if (name === 'pulumi-stacks') return pulumiStacks(caller, organization, stacks);
      throw new Error(`provider '${name}' is not configured on this server`);
    },
    async loadRotator(name: string) {
      throw new Error(`rotator '${name}' is not configured on this server`);
    },
  };
}

/** `fn::open::pulumi-stacks: {stacks: {name: {stack: project/stack}}}` → `{name: {output: value}}`. */
function pulumiStacks(caller: Caller, organization: string, source: StackOutputsSource): Provider {
  return {
    schema: () => ({
      inputs: S.object().properties({ stacks: S.object().additionalProperties(S.record({ stack: S.string() })) }).required('stacks').schema(),
      outputs: S.object().additionalProperties(S.always()).schema(),
    }),
    async open(inputs) {
      const requested = (inputs['stacks']?.value ?? {}) as Record<string, EscValue>;
      const result: Record<string, EscValue> = {};
      for (const [name, entry] of Object.entries(requested)) {
        const text = ((entry.value as Record<string, EscValue>)['stack']?.value ?? '') as string;
        const [project, stack, extra] = text.split('/');
        if (!project || !stack || extra !== undefined) throw new Error(`stack '${text}' must be named 'project/stack'`);
        result[name] = await stackOutputs(caller, { organization, project, stack }, source);
      }
      return { value: result };
    },
  };
}

async function stackOutputs(caller: Caller, ref: { organization: string; project: string; stack: string }, source: StackOutputsSource): Promise<EscValue> {
  const untyped = JSON.parse((await source.exportLatest(caller, ref)).toString('utf8')) as {
    deployment?: { secrets_providers?: { type?: string }; resources?: Array<{ type?: string; parent?: string; outputs?: Record<string, unknown> }> };
  };
  const root = untyped.deployment?.resources?.find((r) => r.type === 'pulumi:pulumi:Stack' && !r.parent);
  const outputs = root?.outputs ?? {};
  const ciphertexts: string[] = [];
  collectCiphertexts(outputs, ciphertexts);
  if (ciphertexts.length > 0 && untyped.deployment?.secrets_providers?.type !== 'service') {
    throw new Error(`the secret outputs of stack '${ref.project}/${ref.stack}' are encrypted by its '${untyped.deployment?.secrets_providers?.type}' secrets provider, which this server cannot open`);
  }
  const plaintexts = ciphertexts.length > 0 ? await source.decrypt(caller, ref, ciphertexts) : [];
  const opened = new Map(ciphertexts.map((c, i) => [c, Buffer.from(plaintexts[i]!, 'base64').toString('utf8')]));
  return toValue(outputs, opened);
}

function isSecret(value: unknown): value is { ciphertext?: string; plaintext?: string } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && secretSignature in value;
}

function collectCiphertexts(value: unknown, into: string[]): void {
  if (isSecret(value)) {
    if (typeof value.ciphertext === 'string') into.push(value.ciphertext);
  } else if (Array.isArray(value)) {
    for (const item of value) collectCiphertexts(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectCiphertexts(item, into);
  }
}

/** Outputs as ESC values: a secret (a ciphertext, opened, or a plaintext the CLI left) is a secret value. */
function toValue(value: unknown, opened: Map<string, string>): EscValue {
  if (isSecret(value)) {
    const text = typeof value.ciphertext === 'string' ? opened.get(value.ciphertext)! : (value.plaintext ?? 'null');
    return makeSecret(fromJSON(JSON.parse(text)));
  }
  if (Array.isArray(value)) return { value: value.map((item) => toValue(item, opened)) };
  if (value !== null && typeof value === 'object') {
    return { value: Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toValue(item, opened)])) };
  }
  return fromJSON(value);
}
