# A BEAM node for the interop tests, driven through its stdin like an iex session:
# each input line is `<id> <Elixir code>` (newlines in the code written as \n); the
# code runs with the bindings of the lines before it, and the node prints one line
# per input, `=> <id> <inspect(result)>` or `!! <id> <the error>`, newlines escaped.
#
# `elixir --sname alice --cookie c test/support/beam-node.exs`; stdin closing stops it.
defmodule BeamNode do
  def loop(binding) do
    case IO.gets("") do
      :eof ->
        :ok

      {:error, _} ->
        :ok

      line ->
        [id, code] = String.split(String.trim_trailing(line, "\n"), " ", parts: 2)
        code = String.replace(code, "\\n", "\n")

        binding =
          try do
            {result, binding} = Code.eval_string(code, binding)
            reply("=>", id, inspect(result, limit: :infinity, printable_limit: :infinity))
            binding
          rescue
            e -> reply("!!", id, Exception.format(:error, e, __STACKTRACE__)) && binding
          catch
            kind, reason -> reply("!!", id, Exception.format(kind, reason, __STACKTRACE__)) && binding
          end

        loop(binding)
    end
  end

  defp reply(tag, id, text), do: IO.puts("#{tag} #{id} #{String.replace(text, "\n", "\\n")}")
end

IO.puts("READY #{node()}")
BeamNode.loop([])
