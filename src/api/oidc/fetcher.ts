import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

/** Why an issuer's document could not be had; `pinning` when its certificate is not a pinned one. */
export class IssuerFetchError extends Error {
  constructor(
    message: string,
    readonly pinning = false,
  ) {
    super(message);
  }
}

export interface FetchedDocument {
  body: unknown;
  /** Lower-case hex SHA-256 of the leaf certificate that served it, over HTTPS. */
  thumbprint?: string;
}

/**
 * Downloads an issuer's discovery document and key set. With thumbprints, an HTTPS server is
 * trusted when its leaf certificate's SHA-256 is one of them (Pulumi's pinning, which also admits
 * self-signed certificates); without, by the system's certificate authorities.
 */
export interface OidcDocumentFetcher {
  getJson(url: string, thumbprints: readonly string[]): Promise<FetchedDocument>;
}

const maxDocumentBytes = 1024 * 1024;
const timeoutMs = 10_000;

export const normalizeThumbprint = (value: string) => value.replace(/:/g, '').trim().toLowerCase();

export const httpDocumentFetcher: OidcDocumentFetcher = {
  getJson(url, thumbprints) {
    return new Promise((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return reject(new IssuerFetchError(`'${url}' is not a URL`));
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') return reject(new IssuerFetchError(`'${url}' is not an http or https URL`));
      const pinned = target.protocol === 'https:' && thumbprints.length > 0;
      const fail = (error: IssuerFetchError) => {
        request.destroy();
        reject(error);
      };
      const options: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, timeout: timeoutMs, agent: false };
      if (pinned) options.rejectUnauthorized = false;
      const request = (target.protocol === 'https:' ? https : http).request(target, options, (response) => {
        let thumbprint: string | undefined;
        if (target.protocol === 'https:') {
          const certificate = (response.socket as TLSSocket).getPeerCertificate();
          thumbprint = certificate?.fingerprint256 ? normalizeThumbprint(certificate.fingerprint256) : undefined;
          if (pinned && (!thumbprint || !thumbprints.includes(thumbprint))) {
            return fail(new IssuerFetchError(`the TLS certificate of ${target.host} (SHA-256 ${thumbprint ?? 'unknown'}) is not one of the issuer's thumbprints`, true));
          }
        }
        if (response.statusCode !== 200) return fail(new IssuerFetchError(`GET ${url} answered ${response.statusCode}`));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxDocumentBytes) return fail(new IssuerFetchError(`GET ${url} answered more than ${maxDocumentBytes} bytes`));
          chunks.push(chunk);
        });
        response.on('error', (error) => reject(new IssuerFetchError(`GET ${url} failed: ${error.message}`)));
        response.on('end', () => {
          try {
            resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), thumbprint });
          } catch {
            reject(new IssuerFetchError(`GET ${url} did not answer JSON`));
          }
        });
      });
      request.on('timeout', () => fail(new IssuerFetchError(`GET ${url} took longer than ${timeoutMs / 1000} s`)));
      request.on('error', (error) => reject(new IssuerFetchError(`GET ${url} failed: ${error.message}`)));
      request.end();
    });
  },
};
