/**
 * @module web
 * A live page of the cluster, in the spirit of Erlang's observer: `web()` (or `--web`
 * on the command line) serves it from this node, and a browser beside the terminal
 * shows, without reload, the nodes and their connections with each link's message
 * rate, every node's processes (name, kind, queue; click one for its info), the
 * supervision trees, pg groups across nodes, global names, PubSub topics with their
 * subscribers, and partitions and nodes going down.
 *
 * How it is built: every node runs a web agent (`agent.ts`) that reports on its node
 * while some page watches it; the viewing node's hub (`hub.ts`) gathers the reports
 * into a model (`model.ts`), and its server (`server.ts`) streams that model to the
 * page (`page/`) as server-sent events. Nothing is collected while no page is open.
 *
 * @example
 * iex(bob)> (await web()).startsWith('http://127.0.0.1:')
 * true
 * iex(bob)> await stopWeb()
 * 'ok'
 */
import { WebError, WebServer, type WebOptions } from './server.ts';

export { WebError, type WebOptions } from './server.ts';
export { webAgent } from './agent.ts';

/** The one server of this OS process (a node is an OS process). */
let serving: { opts: WebOptions; server: Promise<WebServer> } | null = null;

// Client API

/**
 * Serves the page (on 127.0.0.1 and a free port unless `opts` say otherwise) and
 * resolves with its address; once it runs, gives the same address again. Another
 * `host` than loopback gets a token, which the address carries.
 *
 * @example
 * iex(bob)> const url = await web({ port: 0 })
 * iex(bob)> url === await web()
 * true
 */
export async function web(opts: WebOptions = {}): Promise<string> {
  checkOptions(opts);
  if (serving) {
    const running = await serving.server;
    const same = (opts.host === undefined || opts.host === serving.opts.host) && (!opts.port || opts.port === running.port);
    if (!same) throw new WebError('ERR_RUNNING', `the page is served already at ${running.url}; stopWeb() first to serve it elsewhere`);
    return running.url;
  }
  const server = new WebServer(opts.host ?? '127.0.0.1');
  const started = server.listen(opts.port ?? 0).then(() => server);
  serving = { opts: { host: opts.host ?? '127.0.0.1', port: opts.port }, server: started };
  try {
    return (await started).url;
  } catch (err) {
    serving = null;
    throw err;
  }
}

/**
 * Stops serving the page; open pages show that they lost the node.
 *
 * @example
 * iex(bob)> await stopWeb()
 * 'ok'
 */
export async function stopWeb(): Promise<'ok'> {
  const s = serving;
  serving = null;
  if (s) await (await s.server.catch(() => null))?.close();
  return 'ok';
}

// Internals

function checkOptions(opts: unknown): asserts opts is WebOptions {
  const o = opts as WebOptions;
  const portOk = o?.port === undefined || (Number.isInteger(o.port) && o.port >= 0 && o.port < 65536);
  const hostOk = o?.host === undefined || (typeof o.host === 'string' && o.host !== '');
  if (typeof opts === 'object' && opts !== null && portOk && hostOk) return;
  throw new WebError('ERR_BAD_ARG', `web expects { port?: 0..65535, host?: an address such as '127.0.0.1' }. Got: ${JSON.stringify(opts)}`);
}
