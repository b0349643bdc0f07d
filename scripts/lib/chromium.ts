/** Debian Chromium through playwright-core (no downloaded browsers), with fake camera and mic: for the browser tests and the benches. */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  // The bridge hall PC plays sound without a click; the test checks audio, not the unlock button.
  '--autoplay-policy=no-user-gesture-required',
];

export interface LaunchOptions {
  /** Another executable that runs Debian's Chromium (the shaped-network tests wrap it in `ip netns exec`). */
  executablePath?: string;
  /** Flags added after CHROMIUM_ARGS. */
  extraArgs?: readonly string[];
}

export function launchChromium({ executablePath = CHROMIUM, extraArgs = [] }: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs], ignoreDefaultArgs: ['--mute-audio'], headless: true });
}
