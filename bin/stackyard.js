#!/usr/bin/env node
// Stackyard runs the JavaScript that `npm run build` compiles from src/ (npm ci and npm start build
// it): compiled, the server starts faster and holds less memory than compiling as it loads.
import fs from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!fs.existsSync(entry)) {
  process.stderr.write('stackyard: dist/ is missing; run `npm run build` (npm ci and npm start do it)\n');
  process.exit(1);
}
// Before the modules load: their loading is what would grow the young generation (see there).
if (process.argv[2] === 'serve') (await import(new URL('../dist/young-generation.js', import.meta.url).href)).holdYoungGeneration();
await import(entry.href);
