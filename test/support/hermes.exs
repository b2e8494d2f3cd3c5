# The pubsub seed's design on the BEAM, for the interop demo: subscribers of a node in a
# Registry with duplicate keys, one server per node in the pg group {:hermes,
# Hermes.PubSub}, and a publish that sends {:broadcast_to_local, topic, message} once to
# each other node's server, which delivers to its own subscribers. The node joins the
# cluster by asking epmd for names every 300 ms, as libcluster's LocalEpmd does.
defmodule Hermes do
  @group {:hermes, Hermes.PubSub}

  def start do
    {:ok, _} = Registry.start_link(keys: :duplicate, name: Hermes.Registry)
    {:ok, _} = :pg.start_link()
    {:ok, _} = GenServer.start(Hermes.Server, nil, name: Hermes.Server)
    spawn(&Hermes.Cluster.poll/0)
    :ok
  end

  def subscribe(topic), do: Registry.register(Hermes.Registry, topic, nil)

  def publish(topic, message) do
    for pid <- :pg.get_members(@group), node(pid) != node() do
      send(pid, {:broadcast_to_local, topic, message})
    end

    deliver(topic, message)
  end

  def deliver(topic, message) do
    Registry.dispatch(Hermes.Registry, topic, fn entries ->
      for {pid, _} <- entries, do: send(pid, message)
    end)
  end
end

defmodule Hermes.Server do
  use GenServer

  @impl true
  def init(nil) do
    :ok = :pg.join({:hermes, Hermes.PubSub}, self())
    {:ok, nil}
  end

  @impl true
  def handle_info({:broadcast_to_local, topic, message}, state) do
    Hermes.deliver(topic, message)
    {:noreply, state}
  end
end

defmodule Hermes.Client do
  # A subscriber that prints one line per message it gets.
  def start(topic) do
    spawn(fn ->
      Hermes.subscribe(topic)
      loop()
    end)
  end

  defp loop do
    receive do
      message -> IO.puts("Received: #{inspect(message)}")
    end

    loop()
  end
end

defmodule Hermes.Cluster do
  def poll do
    [_, host] = node() |> Atom.to_string() |> String.split("@")

    with {:ok, names} <- :net_adm.names() do
      for {name, _port} <- names, peer = :"#{name}@#{host}", peer != node(), peer not in Node.list() do
        Node.connect(peer)
      end
    end

    Process.sleep(300)
    poll()
  end
end
