/**
 * @module test/support/prompt
 * Typing at a real node's prompt, as a person at its terminal would.
 */
import type { NodeProcess } from './cluster.ts';

/**
 * Types `line` at `node`'s prompt; resolves with what it printed before the next prompt
 * (a prompt drawn again first, under a line printed just before, left out).
 */
export async function ask(node: NodeProcess, line: string, timeout = 10_000): Promise<string> {
  const prompt = `playground\\(${node.name!.replace(/\./g, '\\.')}\\)\\d+> `;
  // The first prompt must be in before the mark, or it would pass for the answer's.
  await node.waitFor(new RegExp(prompt), { timeout });
  const since = node.mark();
  node.send(line);
  await node.waitFor(new RegExp(`[\\s\\S]*${prompt}$`), { since, timeout });
  return node.output.slice(since).replace(new RegExp(`^(${prompt})+|${prompt}$`, 'g'), '');
}
