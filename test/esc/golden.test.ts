// Pulumi ESC's own evaluator cases (../shared/esc-testdata, see its NOTICE), read in place.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadYaml, sortDiagnostics } from '../../src/esc/load.js';
import { asGoDiagnostic, expectedDiagnostics, type GoDiagnostic } from './helpers/diagnostics.js';
import { goldenData, requireGoldenCases } from './helpers/testdata.js';

const data = goldenData('eval');
const { root } = data;
const cases = data.present ? fs.readdirSync(root).filter((name) => name !== 'bench').sort() : [];

describe('ESC golden cases: loading', { skip: data.skip }, () => {
  requireGoldenCases(data, cases);
  for (const name of cases) {
    it(name, () => {
      const dir = path.join(root, name);
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { loadDiags?: GoDiagnostic[] };
      const overridesFile = path.join(dir, 'overrides.json');
      const overrides = fs.existsSync(overridesFile) ? (JSON.parse(fs.readFileSync(overridesFile, 'utf8')) as { rootEnvironment?: string }) : {};
      const { diags } = loadYaml(overrides.rootEnvironment ?? name, fs.readFileSync(path.join(dir, 'env.yaml'), 'utf8'));
      assert.deepEqual(sortDiagnostics(diags).map(asGoDiagnostic), expectedDiagnostics(expected.loadDiags));
    });
  }
});
