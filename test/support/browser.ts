/**
 * @module test/support/browser
 * A real headless Chromium for tests: Debian's `chromium` (`$CHROMIUM` overrides the
 * path), driven over the DevTools protocol by playwright-core, which never downloads a
 * browser of its own. Each launch gets a new empty profile and the flags that keep
 * Chromium off the network (no background fetches, updates, sync or QUIC); root needs
 * `--no-sandbox`. `chromiumMissing()` says, before a test registers, why it cannot run.
 * Close what `openBrowser` gives in a `finally`: Chromium also exits when this process
 * does, since its DevTools pipe closes.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--no-default-browser-check',
];

/** Why no browser can be started here, or null when one can. */
export function chromiumMissing(): string | null {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium; $CHROMIUM names another)`;
  }
}

/** A headless Chromium with an empty profile of its own. */
export function openBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000 });
}
