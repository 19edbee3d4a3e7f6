// Where the golden suites read Pulumi ESC's own test data, in place (it is never copied into this
// repository): `../shared/esc-testdata` beside the checkout, or STACKYARD_ESC_TESTDATA. Missing data
// fails those suites, so a checkout without it cannot pass by running fewer tests, unless
// STACKYARD_SKIP_ESC_GOLDEN=1 asks to skip them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const given = process.env.STACKYARD_ESC_TESTDATA;
const testdataRoot = given ? path.resolve(given) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/esc-testdata');

export interface GoldenData {
  /** The folder of one kind of case (`eval`, `crypt`). */
  root: string;
  present: boolean;
  /** The describe option: a reason to skip when STACKYARD_SKIP_ESC_GOLDEN=1 asks, else false. */
  skip: string | false;
}

export function goldenData(kind: 'eval' | 'crypt'): GoldenData {
  const root = path.join(testdataRoot, kind);
  const skip = process.env.STACKYARD_SKIP_ESC_GOLDEN === '1' && 'STACKYARD_SKIP_ESC_GOLDEN=1';
  return { root, present: fs.existsSync(root), skip };
}

/** Inside a golden describe: one failing test when the data is missing or holds no case. */
export function requireGoldenCases(data: GoldenData, cases: readonly string[]): void {
  if (data.present && cases.length > 0) return;
  it(`reads Pulumi ESC's test data from ${data.root}`, () => {
    assert.fail(
      `${data.present ? 'no cases' : 'nothing'} at ${data.root}: put Pulumi ESC's test data at ../shared/esc-testdata ` +
        '(or name its folder in STACKYARD_ESC_TESTDATA), or set STACKYARD_SKIP_ESC_GOLDEN=1 to skip the golden suites',
    );
  });
}
