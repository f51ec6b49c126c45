import { CHROMIUM_PATH, hasChromium } from './chromium';

// Said once per run: without Chromium the browser tests are skipped, except in CI, where that fails.
export default function checkChromium() {
  if (hasChromium) return;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (see .ci/run)`);
  }
  console.log(`No Chromium at ${CHROMIUM_PATH}: skipping the browser tests (apt-get install chromium to run them).`);
}
