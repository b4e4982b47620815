// A static file server that behaves like GitHub Pages for a project site:
// the build in `dir` is served under a sub-path (`base`, e.g. /mnist/), existing files get their
// MIME type, a directory gets its index.html, and anything else gets `dir/404.html` with status 404
// (the host-style fallback a single-page app relies on for deep links).
//
// For the bad-data tests a file can be overridden while the server runs:
//   server.override('data/mnist/t10k-images-idx3-ubyte.gz', 'corrupt')  // truncated gzip
//   server.override('data/mnist/t10k-labels-idx1-ubyte.gz', 'missing')  // 404
//   server.override(path, null)                                          // serve it normally again
//
// With `alsoAtRoot`, the same build is also served at the site root ("/"): its HTML documents get
// `<base href="/">` instead of the sub-path, as a build made for the root would have (their
// script and style URLs still name the sub-path, which is served too). So one build tests the
// app at the root and under a sub-path.
//
// Command line: node e2e/server.mjs [--dir dist] [--base /mnist/] [--port 8080]
//   E2E_CORRUPT / E2E_MISSING: comma-separated paths (relative to dir) to corrupt / hide.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Content types a GitHub-Pages-like host compresses. */
const COMPRESSIBLE = /^(text\/|application\/(wasm|json|manifest\+json)|image\/svg)/;

/** The MIME type GitHub Pages would send for a file name. */
export function mimeTypeOf(file) {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** A corrupt copy of a file: its first half, so gunzip runs out of input. */
export function corruptBytes(bytes) {
  return bytes.subarray(0, Math.floor(bytes.length / 2));
}

/** Normalises a sub-path to the form "/name/" ("/" for the root). */
function normaliseBase(base) {
  const trimmed = base.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

/** The file path (relative to the served dir) a URL path names, or null outside the base. */
function relativePathOf(urlPath, base) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith(base)) return null;
  const rel = path.posix.normalize(decoded.slice(base.length));
  if (rel.startsWith('..') || rel.includes('\0')) return null;
  return rel === '.' ? '' : rel;
}

async function fileIfExists(file) {
  try {
    const info = await stat(file);
    if (info.isFile()) return file;
    if (info.isDirectory()) {
      const index = path.join(file, 'index.html');
      if ((await stat(index).catch(() => null))?.isFile()) return index;
    }
  } catch {
    // missing: fall through
  }
  return null;
}

/**
 * Starts the server. Resolves to { url, base, port, override(path, kind), requests, close() }.
 * `url` is the full URL of the site root, e.g. http://127.0.0.1:43121/mnist/.
 * `requests` lists the URL paths requested so far (tests use it to see what was fetched).
 */
export async function startServer({
  dir, base = '/mnist/', port = 0, host = '127.0.0.1', alsoAtRoot = false, compress = false, fallbackStatus = 404,
} = {}) {
  const root = path.resolve(dir);
  const siteBase = normaliseBase(base);
  const overrides = new Map();
  const requests = [];

  /** An HTML document of the build as served at `servedBase` (its <base href> rewritten). */
  function asServedAt(body, servedBase) {
    if (servedBase === siteBase) return body;
    return Buffer.from(body.toString('utf8').replace(`<base href="${siteBase}"`, `<base href="${servedBase}"`));
  }

  /** 404.html (status `fallbackStatus` inside the site, 404 outside it). */
  async function sendNotFound(res, method, servedBase = siteBase, inside = true) {
    let page = await readFile(path.join(root, '404.html')).catch(() => null);
    if (page) page = asServedAt(page, servedBase);
    res.writeHead(page && inside ? fallbackStatus : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : (page ?? '<!doctype html><title>404</title><h1>404</h1>'));
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    requests.push(url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (siteBase !== '/' && url.pathname === siteBase.slice(0, -1)) {
      res.writeHead(301, { Location: siteBase + url.search });
      res.end();
      return;
    }
    let servedBase = siteBase;
    let rel = relativePathOf(url.pathname, siteBase);
    if (rel === null && alsoAtRoot) {
      servedBase = '/';
      rel = relativePathOf(url.pathname, '/');
    }
    if (rel === null) return sendNotFound(res, req.method, siteBase, false);
    const kind = overrides.get(rel);
    if (kind === 'missing') return sendNotFound(res, req.method, servedBase, false);
    const file = await fileIfExists(path.join(root, rel));
    if (file === null) return sendNotFound(res, req.method, servedBase);
    let body = await readFile(file);
    if (kind === 'corrupt') body = corruptBytes(body);
    if (file.endsWith('.html')) body = asServedAt(body, servedBase);
    const headers = {
      'Content-Type': mimeTypeOf(file),
      // Overridden files must not be cached, or a retry would not see the change.
      'Cache-Control': kind ? 'no-store' : 'max-age=600',
    };
    // With `compress`, text and wasm go gzipped to a browser that accepts it, as GitHub Pages
    // sends them (the data's .gz files and the models go as they are).
    if (compress && COMPRESSIBLE.test(headers['Content-Type']) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      body = gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
      headers.Vary = 'Accept-Encoding';
    }
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    url: `http://${host}:${actualPort}${siteBase}`,
    /** The site root, where the build is also served with `alsoAtRoot`. */
    rootUrl: `http://${host}:${actualPort}/`,
    base: siteBase,
    port: actualPort,
    requests,
    /** kind: 'corrupt' | 'missing' | null (serve normally). */
    override(relPath, kind) {
      if (kind === null) overrides.delete(relPath);
      else if (kind === 'corrupt' || kind === 'missing') overrides.set(relPath, kind);
      else throw new Error(`unknown override kind ${kind}`);
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function optionValue(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

function listFromEnv(name) {
  return (process.env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const server = await startServer({
    dir: optionValue(args, '--dir', path.join(here, '..', 'dist')),
    base: optionValue(args, '--base', '/mnist/'),
    port: Number(optionValue(args, '--port', '8080')),
  });
  for (const p of listFromEnv('E2E_CORRUPT')) server.override(p, 'corrupt');
  for (const p of listFromEnv('E2E_MISSING')) server.override(p, 'missing');
  console.log(`serving ${server.url}`);
}
