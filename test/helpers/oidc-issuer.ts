import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { tempDir } from './server.js';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** A self-signed certificate for 127.0.0.1 made by openssl, and its SHA-256 fingerprint as Pulumi pins it. */
export function selfSignedCertificate(): { key: string; cert: string; thumbprint: string } {
  const dir = tempDir('oidc-tls');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const key = fs.readFileSync(keyFile, 'utf8');
  const cert = fs.readFileSync(certFile, 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  const thumbprint = createHash('sha256').update(new X509Certificate(cert).raw).digest('hex');
  return { key, cert, thumbprint };
}

/**
 * An OIDC identity provider on loopback, as CI systems run one: a discovery document and a key set
 * served over HTTP (or HTTPS with a self-signed certificate), and ID tokens signed with keys made
 * here. `rotate()` adds a key the server has not seen; `requests` counts what was fetched.
 */
export class LocalOidcIssuer {
  readonly keys: SigningKey[] = [];
  readonly requests: string[] = [];
  private server!: http.Server;
  url = '';

  private constructor(private readonly tls?: { key: string; cert: string }) {}

  static async start(options: { tls?: { key: string; cert: string } } = {}): Promise<LocalOidcIssuer> {
    const issuer = new LocalOidcIssuer(options.tls);
    await issuer.rotate();
    await issuer.listen();
    return issuer;
  }

  private async listen(): Promise<void> {
    const handler: http.RequestListener = (request, response) => {
      this.requests.push(request.url ?? '');
      const json = (body: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.url === '/.well-known/openid-configuration') return json({ issuer: this.url, jwks_uri: `${this.url}/keys`, id_token_signing_alg_values_supported: ['RS256'] });
      if (request.url === '/keys') return json({ keys: this.keys.map((k) => k.publicJwk) });
      response.writeHead(404).end();
    };
    this.server = this.tls ? https.createServer(this.tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `${this.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new signing key, served from now on; tokens are signed with the newest unless told otherwise. */
  async rotate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = `key-${this.keys.length + 1}`;
    const key = { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
    this.keys.push(key);
    return key;
  }

  /** The public keys, as an inline JWKS for an issuer registered without a URL. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /**
   * An ID token: `iss` this issuer, `iat` now (by `nowMs`), `exp` an hour later unless the claims
   * say otherwise; `key` a key of another issuer for a bad signature.
   */
  async sign(claims: JWTPayload, options: { nowMs: number; key?: SigningKey; kid?: string; lifetimeSeconds?: number }): Promise<string> {
    const key = options.key ?? this.keys.at(-1)!;
    const now = Math.floor(options.nowMs / 1000);
    return new SignJWT({ iss: this.url, iat: now, exp: now + (options.lifetimeSeconds ?? 3600), ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A token with `alg: none` and no signature, as an attacker would send one. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
