/**
 * GenServer call latency: 20k sequential calls from one process to a local server,
 * each timed on its own. Prints `local_call_p50_us` and `local_call_p99_us`.
 */
import { GenServer, Runtime, setDefaultRuntime, spawn } from '../src/index.ts';
import { percentile, report } from './report.ts';

setDefaultRuntime(new Runtime());

const Echo: GenServer.GenServerModule<number> = {
  init: () => ['ok', 0],
  handleCall: (request, _from, n) => ['reply', request, n + 1],
};

function timedCalls(server: GenServer.ServerRef, n: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    spawn(async function client() {
      const samples = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await GenServer.call(server, 'ping');
        samples[i] = (performance.now() - t0) * 1000;
      }
      resolve(samples);
    });
    setTimeout(() => reject(new Error('calls did not finish within 20 s')), 20_000).unref();
  });
}

const server = await GenServer.start(Echo, null);
await timedCalls(server, 20_000); // warm-up: measure steady state, not the compiler
const samples = await timedCalls(server, 20_000);
report('local_call_p50_us', Number(percentile(samples, 50).toFixed(2)), 'us');
report('local_call_p99_us', Number(percentile(samples, 99).toFixed(2)), 'us');
await GenServer.stop(server);
