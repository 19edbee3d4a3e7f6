import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import { stackRef } from '../stacks/routes.js';
import { StackParams } from '../stacks/schemas.js';

const base = '/api/stacks/:orgName/:projectName/:stackName';

export function registerSecretsRoutes(app: App, services: Services): void {
  const secrets = services.secrets;

  app.post(
    `${base}/encrypt`,
    { schema: { params: StackParams, body: Type.Object({ plaintext: Type.String() }) } },
    async (request) => {
      const [ciphertext] = await secrets.encrypt(request.caller, stackRef(request.params), [request.body.plaintext]);
      return { ciphertext };
    },
  );

  app.post(
    `${base}/decrypt`,
    { schema: { params: StackParams, body: Type.Object({ ciphertext: Type.String() }) } },
    async (request) => {
      const [plaintext] = await secrets.decrypt(request.caller, stackRef(request.params), [request.body.ciphertext], false);
      return { plaintext };
    },
  );

  app.post(
    `${base}/batch-encrypt`,
    { schema: { params: StackParams, body: Type.Object({ plaintexts: Type.Array(Type.String()) }) } },
    async (request) => ({ ciphertexts: await secrets.encrypt(request.caller, stackRef(request.params), request.body.plaintexts) }),
  );

  // Keyed by the exact strings sent: the CLI looks each one up and fails on a missing key.
  app.post(
    `${base}/batch-decrypt`,
    { schema: { params: StackParams, body: Type.Object({ ciphertexts: Type.Array(Type.String()) }) } },
    async (request) => {
      const { ciphertexts } = request.body;
      const plaintexts = await secrets.decrypt(request.caller, stackRef(request.params), ciphertexts, true);
      return { plaintexts: Object.fromEntries(ciphertexts.map((c, i) => [c, plaintexts[i]])) };
    },
  );

  app.post(
    `${base}/decrypt/log-decryption`,
    { schema: { params: StackParams, body: Type.Object({ secretName: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      await secrets.logDecryption(request.caller, stackRef(request.params), { secretName: request.body.secretName });
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/decrypt/log-batch-decryption`,
    { schema: { params: StackParams, body: Type.Object({ commandName: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      await secrets.logDecryption(request.caller, stackRef(request.params), { commandName: request.body.commandName });
      return reply.status(204).send();
    },
  );
}
