/**
 * A playground node and a BEAM node (Elixir, its own OS process) over Erlang's
 * distribution, on loopback. Prints:
 *
 * interop_call_p50_us / _p99_us   20k sequential GenServer calls from a process on the
 *                                  playground node to an Elixir GenServer on the BEAM
 * interop_call_from_iex_p50_us / _p99_us
 *                                  20k sequential GenServer.call from compiled Elixir code
 *                                  to a playground GenServer, timed on the BEAM
 * interop_send_msgs_per_s         200k `{:hello, i}` one way, playground to BEAM; the
 *                                  clock stops when the BEAM receiver has counted the
 *                                  last one and said so (median of three bursts)
 *
 * Each after a warm-up. Where Erlang or Elixir is missing it prints nothing and says why.
 */
import { startCluster, inProcess } from '../test/support/cluster.ts';
import { BEAM_MISSING, BeamNode } from '../test/support/beam.ts';
import * as GenServer from '../src/genserver.ts';
import { receive, send, self } from '../src/process/index.ts';
import type { Pid } from '../src/term.ts';
import { percentile, report } from './report.ts';

const CALLS = 20_000;
const SENDS = 200_000;

const ELIXIR = `defmodule Bench.Echo do
  use GenServer
  def init(state), do: {:ok, state}
  def handle_call(:ping, _from, state), do: {:reply, :pong, state}
end
defmodule Bench.Sink do
  def start, do: spawn(fn -> loop() end)
  defp loop do
    receive do
      {:count, n, from} -> count(n, from)
    end
    loop()
  end
  defp count(0, from), do: send(from, {:done, self()})
  defp count(n, from), do: (receive do {:hello, _} -> count(n - 1, from) end)
end
defmodule Bench.Caller do
  def p50_p99(server, n) do
    lat = for _ <- 1..n do
      t0 = System.monotonic_time(:nanosecond)
      :pong = GenServer.call(server, :ping)
      (System.monotonic_time(:nanosecond) - t0) / 1000
    end
    sorted = Enum.sort(lat)
    {Enum.at(sorted, div(n, 2)), Enum.at(sorted, div(n * 99, 100))}
  end
end`;

if (BEAM_MISSING !== null) {
  process.stderr.write(`interop.bench: skipped, ${BEAM_MISSING}\n`);
} else {
  const c = await startCluster();
  let beam: BeamNode | undefined;
  try {
    const me = await c.local('bench');
    beam = await BeamNode.start(c, 'beam');
    await beam.eval(ELIXIR);
    await beam.eval('{:ok, _} = GenServer.start(Bench.Echo, nil, name: Bench.Echo); sink = Bench.Sink.start(); :ok');
    if (!(await me.connect(beam.name))) throw new Error('could not connect to the BEAM node');

    // The playground calls the Elixir GenServer.
    const timed = (n: number) =>
      inProcess(me.runtime, async () => {
        const samples = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          await GenServer.call(['Elixir.Bench.Echo', beam!.name], 'ping');
          samples[i] = (performance.now() - t0) * 1000;
        }
        return samples;
      }, 30_000);
    await timed(2000);
    const samples = await timed(CALLS);
    report('interop_call_p50_us', Number(percentile(samples, 50).toFixed(1)), 'us');
    report('interop_call_p99_us', Number(percentile(samples, 99).toFixed(1)), 'us');

    // iex calls a playground GenServer.
    await inProcess(me.runtime, () => GenServer.start({ init: () => ['ok', null], handleCall: () => ['reply', 'pong', null] }, null, { name: 'echo' }));
    await beam.eval(`Bench.Caller.p50_p99({:echo, :"${me.name}"}, 2000)`);
    const [p50, p99] = (await beam.eval(`Bench.Caller.p50_p99({:echo, :"${me.name}"}, ${CALLS})`, 30_000)).match(/[\d.]+/g)!.map(Number);
    report('interop_call_from_iex_p50_us', Number(p50!.toFixed(1)), 'us');
    report('interop_call_from_iex_p99_us', Number(p99!.toFixed(1)), 'us');

    // The playground sends one way to a BEAM process.
    const burst = (n: number) =>
      inProcess(me.runtime, async () => {
        me.runtime.register('inbox', self());
        await beam!.eval(`send({:inbox, :"${me.name}"}, {:sink, sink})`);
        const [, sinkPid] = (await receive(['sink', (p: unknown) => true], { after: 5000 })) as [string, Pid];
        me.runtime.unregister('inbox');
        const start = performance.now();
        send(sinkPid, ['count', n, self()]);
        for (let i = 0; i < n; i++) send(sinkPid, ['hello', i]);
        await receive(['done', sinkPid], { after: 60_000 });
        return n / ((performance.now() - start) / 1000);
      }, 90_000);
    await burst(50_000);
    const rates = [await burst(SENDS), await burst(SENDS), await burst(SENDS)];
    report('interop_send_msgs_per_s', Math.round(percentile(rates, 50)), 'msgs/s');
  } finally {
    await beam?.kill();
    await c.stop();
  }
}
