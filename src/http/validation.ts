import { Ajv } from 'ajv';
import type { App } from './types.js';

/**
 * Path and query values arrive as strings and are coerced to the schema's types; JSON bodies are
 * taken as sent, so `{"stackName": 42}` is a 400 rather than a stack named "42".
 */
export function registerValidation(app: App): void {
  const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  const exact = new Ajv({ ...common, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? exact.compile(schema) : coercing.compile(schema),
  );
}
