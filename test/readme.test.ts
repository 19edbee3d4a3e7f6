import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { configOptions } from '../src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('README', () => {
  it('documents every configuration option with its variable and default', () => {
    for (const option of configOptions) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${option.flag}\` |`));
      assert.ok(row, `README has no row for ${option.flag}`);
      assert.ok(row.includes(`\`${option.env}\``), `${option.flag}: ${row}`);
      if (option.default) assert.ok(row.includes(`\`${option.default}\``), `${option.flag} default: ${row}`);
    }
  });

  it('gives the two quick-start commands that package.json and .ci/run really have', () => {
    assert.ok(readme.includes('npm ci && npm start'));
    assert.ok(readme.includes('npm test'));
    assert.ok(packageJson.scripts.start.includes('serve'));
    assert.match(fs.readFileSync(path.join(root, '.ci/run'), 'utf8'), /^npm test$/m);
  });
});
