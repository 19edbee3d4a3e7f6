import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './types.js';

/** Where `npm run build` puts the console (console/ compiled by Vite), from src/http or dist/http alike. */
export const consoleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/**
 * The console's pages allow scripts and connections only to this origin; navigation may leave it
 * (the CLI's browser login ends on the CLI's own port on loopback).
 */
const pageHeaders = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-cache',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Answers a request no route took with the console's page, or says it is not one for the console. */
export type ConsolePage = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

/**
 * Serves the built console: its hashed assets (cached for good, gzip when asked) and, for any
 * other page a browser asks for outside `/api/`, index.html (never cached), so the links the CLI
 * prints (`/{org}/{project}/{stack}/updates/{n}`, `/cli-login`) open in the app. API clients keep
 * their JSON 404s: only requests that accept HTML get the page.
 */
export function registerConsole(app: App, dir: string): ConsolePage | undefined {
  const indexFile = path.join(dir, 'index.html');
  if (!fs.existsSync(indexFile)) {
    app.log.warn({ dir }, 'the web console is not built (npm run build); serving the API alone');
    return undefined;
  }
  const index = fs.readFileSync(indexFile);

  // One route for every hashed asset: content-addressed, so cached for good.
  app.register(async (assets: App) => {
    await assets.register(fastifyStatic, {
      root: path.join(dir, 'assets'),
      serve: false,
      index: false,
      preCompressed: true,
      maxAge: 365 * 24 * 60 * 60 * 1000,
      immutable: true,
    });
    assets.get('/assets/:file', { config: { auth: 'public' }, schema: { hide: true } }, (request, reply) => {
      reply.header('X-Content-Type-Options', 'nosniff');
      return reply.sendFile((request.params as { file: string }).file);
    });
  });

  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const pathname = request.url.split('?')[0]!;
    if (/^\/(api|assets)(\/|$)/.test(pathname)) return undefined;
    if (!(request.headers.accept ?? '').includes('text/html')) return undefined;
    return reply.status(200).headers(pageHeaders).send(index);
  };
}
