import os from 'node:os';
import path from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfigError } from '../../config.js';

/** Where a DIY backend keeps its `.pulumi/` folder: a directory, or a bucket and a key prefix. */
export type BackendLocation = { kind: 'file'; dir: string } | { kind: 's3'; bucket: string; prefix: string; client: S3ClientConfig };

/** Stackyard's own S3 options (`--s3-*`), the defaults for what an `s3://` URL does not say. */
export interface S3Defaults {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const expected = "a DIY backend URL: 'file://<dir>' or 's3://<bucket>[/<prefix>][?region=…&endpoint=…&s3ForcePathStyle=true]'";

/** A URL fit for messages: what names the backend, without its query. */
export function describeBackendUrl(url: string): string {
  return url.split('?')[0]!;
}

/**
 * Reads a backend URL as the Pulumi CLI (v3.274.1) reads it: `file://` paths with `~` and relative
 * paths resolved, and `s3://` URLs with the query parameters of its gocloud.dev S3 driver
 * (aws-sdk-go-v2) and the SDK v1 names it still translates (`disableSSL`, a scheme-less `endpoint`).
 */
export function parseBackendUrl(url: string, defaults: S3Defaults): BackendLocation {
  if (url.startsWith('file://')) return { kind: 'file', dir: filePath(url) };
  if (url.startsWith('s3://')) return s3Location(url, defaults);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  throw new ConfigError(
    scheme
      ? `import-backend reads file:// and s3:// backends, not ${scheme}://; expected ${expected}`
      : `'${url}' is not ${expected}`,
  );
}

function filePath(url: string): string {
  let dir = url.slice('file://'.length).split('?')[0]!;
  if (dir === '') throw new ConfigError(`'${url}' names no directory; expected ${expected}`);
  if (dir === '~') dir = os.homedir();
  else if (dir.startsWith('~/')) dir = path.join(os.homedir(), dir.slice(2));
  return path.resolve(dir);
}

/** strconv.ParseBool's spellings. */
function parseBool(name: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new ConfigError(`invalid value for query parameter "${name}": '${value}' is not a boolean`);
}

function checksumMode(name: string, value: string): 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' {
  if (value === 'when_supported') return 'WHEN_SUPPORTED';
  if (value === 'when_required') return 'WHEN_REQUIRED';
  throw new ConfigError(`invalid value for query parameter "${name}": '${value}' (when_supported or when_required)`);
}

/** Parameters that only matter to writes (server-side encryption), or only name the SDK generation. */
const ignoredParameters = new Set(['awssdk', 'ssetype', 'kmskeyid', 'hostname_immutable', 'rate_limiter_capacity']);
/** Parameters the CLI understands that this reader cannot honour; refused rather than ignored. */
const unsupportedParameters = new Set(['role', 'anonymous']);

function s3Location(url: string, defaults: S3Defaults): BackendLocation {
  const match = /^s3:\/\/([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/.exec(url);
  if (!match) throw new ConfigError(`'${url}' is not ${expected}`);
  const bucket = match[1]!;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(bucket)) throw new ConfigError(`'${bucket}' is not an S3 bucket name`);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  const query = new URLSearchParams(match[3] ?? '');

  // The first value of each, as gocloud.dev reads them.
  const params = new Map<string, string>();
  for (const [name, value] of query) if (!params.has(name)) params.set(name, value);
  let endpoint = defaults.endpoint || undefined;
  let region = defaults.region;
  let pathStyle: boolean | undefined;
  let disableHttps = false;
  const client: S3ClientConfig = {};
  for (const [name, value] of params) {
    switch (name) {
      case 'region':
        region = value;
        break;
      case 'endpoint':
        endpoint = value;
        break;
      case 'use_path_style':
      case 's3ForcePathStyle':
        pathStyle = parseBool(name, value);
        break;
      case 'disable_https':
      case 'disableSSL':
        disableHttps = parseBool(name, value);
        break;
      case 'profile':
        client.profile = value;
        break;
      case 'dualstack':
        client.useDualstackEndpoint = parseBool(name, value);
        break;
      case 'fips':
        client.useFipsEndpoint = parseBool(name, value);
        break;
      case 'accelerate':
        client.useAccelerateEndpoint = parseBool(name, value);
        break;
      case 'request_checksum_calculation':
        client.requestChecksumCalculation = checksumMode(name, value);
        break;
      case 'response_checksum_validation':
        client.responseChecksumValidation = checksumMode(name, value);
        break;
      default:
        if (ignoredParameters.has(name)) break;
        if (unsupportedParameters.has(name)) throw new ConfigError(`query parameter "${name}" is not supported by import-backend`);
        throw new ConfigError(`unknown query parameter "${name}" in '${describeBackendUrl(url)}'`);
    }
  }
  if (endpoint !== undefined && !endpoint.includes('://')) endpoint = `${disableHttps ? 'http' : 'https'}://${endpoint}`;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
    throw new ConfigError(`the S3 endpoint must be an http(s) URL with no path, got '${endpoint}'`);
  }
  if (Boolean(defaults.accessKeyId) !== Boolean(defaults.secretAccessKey)) {
    throw new ConfigError('--s3-access-key-id and --s3-secret-access-key go together: give both or neither');
  }
  return {
    kind: 's3',
    bucket,
    prefix,
    client: {
      ...client,
      region,
      ...(endpoint !== undefined && { endpoint }),
      // Stackyard addresses S3-compatible servers path-style, as its blob store does, unless the URL says.
      forcePathStyle: pathStyle ?? endpoint !== undefined,
      ...(disableHttps && { tls: false }),
      ...(defaults.accessKeyId && { credentials: { accessKeyId: defaults.accessKeyId, secretAccessKey: defaults.secretAccessKey } }),
    },
  };
}
