import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../dist/web');

/** Writes a .gz beside each text asset, which the server sends to clients that accept gzip. */
function gzipAssets(): Plugin {
  return {
    name: 'stackyard-gzip-assets',
    apply: 'build',
    writeBundle(_options, bundle) {
      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|svg|json)$/.test(file)) continue;
        const full = path.join(outDir, file);
        fs.writeFileSync(`${full}.gz`, zlib.gzipSync(fs.readFileSync(full), { level: 9 }));
      }
    },
  };
}

// The console is served by Stackyard itself (src/http/console.ts), same origin as the API.
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react(), gzipAssets()],
  build: { outDir, emptyOutDir: true, target: 'es2022', assetsDir: 'assets' },
});
