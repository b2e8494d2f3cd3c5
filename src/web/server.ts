/**
 * @module web/server
 * The HTTP side of the web view, on `node:http`: the page's three files, a stream of
 * server-sent events that carries the model, and one process's info on request.
 *
 * Routes (GET and HEAD only; anything else is 405):
 * - `/`, `/app.js`, `/app.css`: the page (`assets.ts`).
 * - `/events`: `text/event-stream`; an `event: model` with the whole model as JSON at
 *   once, then after every change (at most one every `MIN_PUSH_MS`).
 * - `/api/process?pid=KEY`: `ProcessDetails` as JSON, or 404 when it is not alive.
 *
 * Security, since the page shows everything a node holds:
 * - It listens on 127.0.0.1 unless another address is asked for. Then every data
 *   route (`/events`, `/api/...`) needs the random `token` that was printed at start,
 *   compared in constant time; the page's own files carry no data and need none.
 * - On loopback, the Host header must name loopback, so that a web site whose name
 *   was rebound to 127.0.0.1 cannot read the page from a visitor's browser; and a
 *   browser's request for data made by another site's page (`Sec-Fetch-Site:
 *   cross-site`) is refused, so such a page cannot even make the node collect.
 * - It only reads: no route evaluates or changes anything.
 * - Every term reaches the page as text, and the page writes text only (`page/dom.ts`);
 *   the Content-Security-Policy forbids inline scripts all the same.
 *
 * Cost: the hub, which collects, runs only while at least one page is connected.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { Pid } from '../term.ts';
import { currentRuntime } from '../process/index.ts';
import { CodedError } from '../errors.ts';
import { assets, type Asset } from './assets.ts';
import { Hub } from './hub.ts';
import { details } from './model.ts';

export class WebError extends CodedError<'ERR_BAD_ARG' | 'ERR_LISTEN' | 'ERR_RUNNING'> {}

export interface WebOptions {
  /** TCP port (default: any free one). */
  port?: number;
  /** Address to listen on (default 127.0.0.1); any other needs the printed token. */
  host?: string;
}

/**
 * The least time between two models sent to the pages: a change after a quiet moment
 * goes at once, a stream of changes (a workshop of fifty nodes, each with its rates)
 * as at most ten models a second.
 */
const MIN_PUSH_MS = 100;
/** A comment line on idle event streams, so proxies and browsers keep them open. */
const KEEPALIVE_MS = 15_000;

const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export class WebServer {
  /** The page's address, with the token when there is one. */
  url = '';
  readonly token: string | null;
  private readonly server: Server;
  private readonly clients = new Set<ServerResponse>();
  private readonly hub = new Hub(() => this.changed());
  private files = new Map<string, Asset>();
  private lastPush = 0;
  /** The last model sent: an equal one is not sent again. */
  private lastText = '';
  private pushTimer: NodeJS.Timeout | null = null;
  private keepalive: NodeJS.Timeout | null = null;

  constructor(private readonly host: string) {
    this.token = isLoopback(host) ? null : randomBytes(18).toString('base64url');
    this.server = createServer((req, res) => this.route(req, res));
  }

  // Client API

  async listen(port: number): Promise<string> {
    this.files = await assets();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (err) => reject(new WebError('ERR_LISTEN', `cannot serve the page on ${this.host}:${port}: ${err.message}`, undefined, err)));
      this.server.listen(port, this.host, () => resolve());
    });
    const bound = (this.server.address() as { port: number }).port;
    this.url = `http://${printable(this.host)}:${bound}/${this.token ? `?token=${this.token}` : ''}`;
    return this.url;
  }

  get port(): number {
    return (this.server.address() as { port: number } | null)?.port ?? 0;
  }

  async close(): Promise<void> {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.stopHub();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // Internals: routes

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://page');
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.fail(res, 405, 'the page only reads: GET or HEAD', { allow: 'GET, HEAD' });
    if (!this.token && !isLoopbackHost(req.headers.host, this.port)) return this.fail(res, 403, 'this page answers to 127.0.0.1 and localhost only');
    const file = this.files.get(url.pathname);
    if (file) {
      res.writeHead(200, { ...HEADERS, 'content-type': file.type, 'content-length': file.body.length });
      return void res.end(req.method === 'HEAD' ? undefined : file.body);
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(204, HEADERS).end();
    if (url.pathname !== '/events' && url.pathname !== '/api/process') return this.fail(res, 404, 'no such page');
    if (!this.tokenOk(url.searchParams.get('token'))) return this.fail(res, 401, 'this page needs the token printed when it started (…/?token=…)');
    if (req.headers['sec-fetch-site'] === 'cross-site') return this.fail(res, 403, "another site's page may not read this one");
    if (url.pathname === '/events') return this.events(req, res);
    void this.processInfo(url.searchParams.get('pid'), res);
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    if (this.clients.size === 0) this.startHub();
    this.clients.add(res);
    const text = modelEvent(this.hub);
    res.write(text);
    // What the other pages were last sent stays the mark: a change they have not seen yet still goes to them.
    if (this.clients.size === 1) this.lastText = text;
    req.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopHub();
    });
  }

  private async processInfo(key: string | null, res: ServerResponse): Promise<void> {
    const pid = pidOf(key);
    if (!pid) return this.fail(res, 400, `pid expects a key such as alice@vm/1/42. Got: ${JSON.stringify(key)}`);
    const info = await this.hub.info(pid).catch(() => undefined);
    if (!info) return this.fail(res, 404, 'no such process');
    const body = JSON.stringify(details(info));
    res.writeHead(200, { ...HEADERS, 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  }

  private fail(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...HEADERS, ...headers, 'content-type': 'text/plain; charset=utf-8' });
    res.end(text + '\n');
  }

  private tokenOk(given: string | null): boolean {
    if (this.token === null) return true;
    const a = Buffer.from(given ?? '');
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  // Internals: pushing models

  private startHub(): void {
    this.hub.start();
    this.keepalive = setInterval(() => {
      for (const res of this.clients) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  private stopHub(): void {
    this.hub.stop();
    if (this.keepalive) clearInterval(this.keepalive);
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.keepalive = this.pushTimer = null;
  }

  /** Sends the model now, or once `MIN_PUSH_MS` has passed since the last one. */
  private changed(): void {
    if (this.pushTimer || this.clients.size === 0) return;
    const wait = Math.max(0, this.lastPush + MIN_PUSH_MS - performance.now());
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      this.lastPush = performance.now();
      const text = modelEvent(this.hub);
      if (text === this.lastText) return;
      this.lastText = text;
      for (const res of this.clients) res.write(text);
    }, wait);
  }
}

// Internals

/** A view that cannot be drawn is logged and skipped: the page keeps the last model, the node runs on. */
function modelEvent(hub: Hub): string {
  try {
    return `event: model\ndata: ${JSON.stringify(hub.model())}\n\n`;
  } catch (err) {
    currentRuntime().log('warning', `web: could not draw the cluster: ${(err as Error).message}`);
    return '';
  }
}

/** A pid from its key (`node/creation/id`), or null when it is not one. */
function pidOf(key: string | null): Pid | null {
  const m = /^([A-Za-z0-9_.-]+@[A-Za-z0-9_.:-]+)\/(\d{1,10})\/(\d{1,15})$/.exec(key ?? '');
  return m ? new Pid(m[1]!, Number(m[3]), Number(m[2])) : null;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isLoopbackHost(header: string | undefined, port: number): boolean {
  return header === `127.0.0.1:${port}` || header === `localhost:${port}` || header === `[::1]:${port}`;
}

/** The address to print: for a wildcard, this machine's first address on a network. */
function printable(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
  return external?.address ?? '127.0.0.1';
}
