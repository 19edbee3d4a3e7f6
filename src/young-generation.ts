import v8 from 'node:v8';

/**
 * Loading and starting the server allocates much that lives on (modules, routes, validators); V8
 * answers such survival by doubling its young generation up to its most, 2 × 16 MB, and an idle
 * process keeps all of it. `bin/stackyard.js` holds it at its first size while `serve` starts.
 */
export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/** Once the server listens: V8's own factor (2 in every Node release we run on), so load grows it as before. */
export function releaseYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=2');
}
