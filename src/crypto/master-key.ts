import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { makePrivateDirectory } from '../db/private-files.js';

/** A configuration problem: `stackyard` reports it and exits before serving. */
export class MasterKeyError extends ConfigError {}

/**
 * The configured master key, or the one in the data directory, created (mode 0600) on first use.
 * Losing it makes every stored secret unreadable, so an existing file is never replaced.
 */
export function loadMasterKey(source: { base64?: string; file: string }): Buffer {
  if (source.base64 !== undefined) return decode(source.base64, 'STACKYARD_MASTER_KEY');
  if (fs.existsSync(source.file)) return decode(fs.readFileSync(source.file, 'utf8').trim(), source.file);
  makePrivateDirectory(path.dirname(source.file));
  const key = randomBytes(32);
  // 'wx' fails if another process created the file first; then read theirs.
  try {
    fs.writeFileSync(source.file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadMasterKey(source);
    throw error;
  }
  return key;
}

function decode(base64: string, where: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32 || key.toString('base64') !== base64) {
    throw new MasterKeyError(`the master key in ${where} must be 32 bytes, base64-encoded`);
  }
  return key;
}
