import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian's `chromium` (or another Chromium/Chrome) on PATH, or `CHROMIUM_PATH`. */
export function findChromium(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env['CHROMIUM_PATH'] && existsSync(env['CHROMIUM_PATH'])) return env['CHROMIUM_PATH'];
  for (const directory of (env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      const candidate = join(directory, name);
      if (directory && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}
