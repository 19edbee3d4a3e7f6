// Pulumi ESC's own evaluator cases (../shared/esc-testdata/eval, see its NOTICE), read in place:
// check, open and rotate each case as Pulumi's eval_test.go does, and compare every diagnostic, the
// JSON views, the rotation patches and the whole Environment objects (expressions, schemas,
// traces) with what Pulumi's evaluator gave.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkEnvironment, evalEnvironment, ExecContext, rotateEnvironment, type EnvironmentLoader, type Environment } from '../../src/esc/eval.js';
import { goJsonMarshal } from '../../src/esc/go-json.js';
import { loadYaml, sortDiagnostics } from '../../src/esc/load.js';
import { toJSON } from '../../src/esc/value.js';
import { environmentToWire, valueToWire } from '../../src/esc/wire.js';
import { asGoDiagnostic, expectedDiagnostics, type GoDiagnostic } from './helpers/diagnostics.js';
import { testProviders } from './helpers/providers.js';
import { rot128 } from './helpers/rot128.js';
import { goldenData, requireGoldenCases } from './helpers/testdata.js';

const data = goldenData('eval');
const { root } = data;
const cases = data.present ? fs.readdirSync(root).filter((name) => name !== 'bench').sort() : [];

interface Overrides {
  showSecrets?: boolean;
  rootEnvironment?: string;
  rotate?: boolean;
  rotatePaths?: string[];
}

interface Expected {
  check?: unknown;
  eval?: unknown;
  rotate?: unknown;
  checkDiags?: GoDiagnostic[];
  checkJson?: unknown;
  evalDiags?: GoDiagnostic[];
  evalJsonRedacted?: unknown;
  evalJSONRevealed?: unknown;
  rotateDiags?: GoDiagnostic[];
  rotateJson?: unknown;
  rotatePatches?: Array<{ DocPath: string; Replacement: unknown }>;
}

/** Imports read from the case's folder, failing as Go's os.ReadFile does in the upstream harness. */
function caseEnvironments(name: string): EnvironmentLoader {
  return {
    async loadEnvironment(environment) {
      const file = path.join(root, name, `${environment}.yaml`);
      if (!fs.existsSync(file)) throw new Error(`open testdata/eval/${name}/${environment}.yaml: no such file or directory`);
      return { definition: fs.readFileSync(file, 'utf8'), decrypter: rot128 };
    },
  };
}

const execContext = ExecContext.create({ pulumi: { value: { user: { value: { id: { value: 'USER_123' } } } } } });

/** JSON as the golden files hold it: Go's encoding of our values, read back. */
const asJson = (value: unknown) => (value === undefined ? undefined : JSON.parse(goJsonMarshal(value)));
const propertiesJson = (environment: Environment | undefined, redact: boolean) =>
  environment && asJson(toJSON({ value: environment.properties }, redact));

/** A whole environment as the server sends it (src/esc/wire.ts), read back as JSON. */
const goEnvironment = (environment: Environment | undefined) => environment && JSON.parse(JSON.stringify(environmentToWire(environment)));

describe('ESC golden cases: evaluation', { skip: data.skip }, () => {
  requireGoldenCases(data, cases);
  for (const name of cases) {
    it(name, async () => {
      const dir = path.join(root, name);
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
      const overridesFile = path.join(dir, 'overrides.json');
      const overridesText = fs.existsSync(overridesFile) ? fs.readFileSync(overridesFile, 'utf8').trim() : '';
      const overrides = overridesText ? (JSON.parse(overridesText) as Overrides) : {};
      const environmentName = overrides.rootEnvironment ?? name;
      const { env } = loadYaml(environmentName, fs.readFileSync(path.join(dir, 'env.yaml'), 'utf8'));
      const options = { decrypter: rot128, providers: testProviders, environments: caseEnvironments(name), execContext };

      const checked = await checkEnvironment(environmentName, env, options, overrides.showSecrets ?? false);
      assert.deepEqual(goEnvironment(checked.environment), expected.check ?? undefined, 'the whole checked Environment');
      assert.deepEqual(sortDiagnostics(checked.diags).map(asGoDiagnostic), expectedDiagnostics(expected.checkDiags), 'check diagnostics');
      assert.deepEqual(propertiesJson(checked.environment, true), expected.checkJson, 'checkJson');

      const opened = await evalEnvironment(environmentName, env, options);
      assert.deepEqual(goEnvironment(opened.environment), expected.eval ?? undefined, 'the whole opened Environment');
      assert.deepEqual(sortDiagnostics(opened.diags).map(asGoDiagnostic), expectedDiagnostics(expected.evalDiags), 'eval diagnostics');
      assert.deepEqual(propertiesJson(opened.environment, true), expected.evalJsonRedacted, 'evalJsonRedacted');
      assert.deepEqual(propertiesJson(opened.environment, false), expected.evalJSONRevealed, 'evalJSONRevealed');

      if (overrides.rotate) {
        const rotated = await rotateEnvironment(environmentName, env, options, overrides.rotatePaths ?? []);
        assert.deepEqual(goEnvironment(rotated.environment), expected.rotate ?? undefined, 'the whole rotated Environment');
        assert.deepEqual(sortDiagnostics(rotated.diags).map(asGoDiagnostic), expectedDiagnostics(expected.rotateDiags), 'rotate diagnostics');
        assert.deepEqual(propertiesJson(rotated.environment, true), expected.rotateJson, 'rotateJson');
        const patches = rotated.rotations
          .flatMap((rotation) => (rotation.patch ? [rotation.patch] : []))
          .sort((a, b) => (a.docPath < b.docPath ? -1 : a.docPath > b.docPath ? 1 : 0))
          .map((patch) => ({ DocPath: patch.docPath, Replacement: asJson(valueToWire(patch.replacement)) }));
        assert.deepEqual(patches.length === 0 ? undefined : patches, expected.rotatePatches ?? undefined, 'rotatePatches');
      }
    });
  }

});
