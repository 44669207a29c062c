import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidRequestError } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the console is served. */
export const CONSOLE_PATH = '/ui';

/**
 * The console's Content-Security-Policy: everything from this origin, nothing inline, no plugins, no framing.
 * (`style-src` allows only files of this origin too; CodeMirror's styles go through constructable style sheets,
 * which CSP does not govern.)
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** One file of the console's build, held in memory. */
interface ConsoleFile {
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly type: string;
  readonly cacheControl: string;
}

/**
 * Imports `@gatehouse/console` (an optional peer of the server) and returns the directory of its build.
 * @param name - the module to import; tests pass another.
 * @throws {@link InvalidRequestError} naming what to install or build when it is missing.
 */
export async function consoleRoot(name = '@gatehouse/console'): Promise<string> {
  let mod: { consoleRoot?: unknown };
  try {
    mod = (await import(name)) as { consoleRoot?: unknown };
  } catch (err) {
    throw new InvalidRequestError(
      `--ui needs the console, ${name}, which could not be loaded (${(err as Error).message}): install it beside the server ("npm install ${name}")`,
      { cause: err },
    );
  }
  if (typeof mod.consoleRoot !== 'string') throw new InvalidRequestError(`--ui: ${name} does not export consoleRoot`);
  return mod.consoleRoot;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/**
 * Reads the console's build into memory: the only files the server will ever send under {@link CONSOLE_PATH} are
 * the ones found here at start, looked up by exact name, so no request path can reach another file.
 * @throws {@link InvalidRequestError} when the build is missing.
 */
export async function loadConsoleFiles(root: string): Promise<ReadonlyMap<string, ConsoleFile>> {
  let paths: string[];
  try {
    paths = await listFiles(root);
  } catch (err) {
    throw new InvalidRequestError(`--ui: the console has no build at ${root} (run "npm run build")`, { cause: err });
  }
  const files = new Map<string, ConsoleFile>();
  for (const path of paths) {
    const name = relative(root, path).split(sep).join('/');
    if (name.endsWith('.map') || name.startsWith('.')) continue;
    const body = await readFile(path);
    const type = TYPES[extname(name)] ?? 'application/octet-stream';
    const compressible = /^text\/|javascript|json|svg/.test(type) && body.length > 1024;
    // Vite names what it builds under assets/ by content hash: a changed file gets a new name.
    const hashed = name.startsWith('assets/') && /-[\w-]{8,}\.\w+$/.test(name);
    files.set(name, { body, gzip: compressible ? gzipSync(body, { level: 9 }) : undefined, type, cacheControl: hashed ? IMMUTABLE : 'no-cache' });
  }
  if (!files.has('index.html')) throw new InvalidRequestError(`--ui: the console build at ${root} has no index.html (run "npm run build")`);
  return files;
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile): FastifyReply {
  const gzip = file.gzip !== undefined && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  reply
    .header('content-type', file.type)
    .header('cache-control', file.cacheControl)
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
  if (file.gzip !== undefined) reply.header('vary', 'accept-encoding');
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? file.gzip : file.body);
}

/**
 * Serves the console at `/ui/`: `index.html` (not cached), the hashed assets (cached for a year, immutable), every
 * answer with a strict CSP. No key is needed to load the page; the page asks for one and sends it with each API
 * call. Anything not in the build is 404.
 * @param app - the server's fastify instance.
 * @param files - from {@link loadConsoleFiles}.
 */
export function consoleRoutes(app: FastifyInstance, files: ReadonlyMap<string, ConsoleFile>): void {
  const index = files.get('index.html');
  if (index === undefined) throw new InvalidRequestError('--ui: the console build has no index.html');
  const config = { auth: 'none' as const };

  app.get(CONSOLE_PATH, { config }, async (_request, reply) => await reply.redirect(`${CONSOLE_PATH}/`, 301));
  app.get(`${CONSOLE_PATH}/`, { config }, async (request, reply) => await send(request, reply, index));
  app.get(`${CONSOLE_PATH}/*`, { config }, async (request, reply) => {
    const name = (request.params as { '*'?: string })['*'] ?? '';
    const file = name === 'index.html' ? undefined : files.get(name);
    if (file === undefined) {
      return await reply
        .code(404)
        .header('content-security-policy', CONSOLE_CSP)
        .send({ code: 5, message: 'no such file of the console', details: [{ reason: 'GH_ERR_NOT_FOUND' }] });
    }
    return await send(request, reply, file);
  });
}
