import fs from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';

/** Go's names for architectures, which the `linux/amd64` platform style uses. */
const goArch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };

/** The headers every poll carries, shown in the pool's list of runners; the id is new per runner. */
export function runnerIdentityHeaders(): Record<string, string> {
  const { version } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    'X-Stackyard-Runner-Id': randomUUID(),
    'X-Stackyard-Runner-Hostname': os.hostname(),
    'X-Stackyard-Runner-Pid': String(process.pid),
    'X-Stackyard-Runner-Version': version,
    'X-Stackyard-Runner-Platform': `${process.platform}/${goArch[process.arch] ?? process.arch}`,
  };
}
