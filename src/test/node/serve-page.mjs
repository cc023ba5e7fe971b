// Drives the `mnistlab serve` page in Debian's headless chromium: draws a 7 with the mouse and a 1 with a
// finger (touch events), waits for each prediction, saves a screenshot. Prints one JSON line; exit 1 on failure.
// Usage: node serve-page.mjs URL SCREENSHOT.png
import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 760, height: 600 }, hasTouch: true });
  const page = await context.newPage();
  await page.goto(url);
  const pad = await page.locator('#pad').boundingBox();
  const at = (x, y) => [pad.x + x, pad.y + y];

  // a 7: top bar, then the diagonal, in small steps as a hand would
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  await page.mouse.move(...at(210, 60), { steps: 12 });
  await page.mouse.move(...at(130, 240), { steps: 16 });
  await page.mouse.up();
  const mouse = await prediction(page);
  await page.screenshot({ path: screenshot });

  // a 1 drawn with a finger, through the DevTools protocol's touch events
  await page.click('#clear');
  const cdp = await context.newCDPSession(page);
  const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent',
      { type, touchPoints: type === 'touchEnd' ? [] : [{ x: at(x, y)[0], y: at(x, y)[1] }] });
  await touch('touchStart', 140, 40);
  for (let y = 50; y <= 240; y += 10) await touch('touchMove', 140, y);
  await touch('touchEnd');
  const finger = await prediction(page);

  console.log(JSON.stringify({ mouse, finger }));
} catch (e) {
  console.error('serve page test failed: ' + e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}

/** Waits for the page to show a digit, then reads it and the ten percentages. */
async function prediction(page) {
  // the answer to the whole stroke: a digit shown and no request still on its way
  await page.waitForFunction(() => document.body.dataset.state === 'idle'
      && /^[0-9]$/.test(document.getElementById('digit').textContent), null, { timeout: 15000 });
  return page.evaluate(() => ({
    digit: Number(document.getElementById('digit').textContent),
    status: document.getElementById('status').textContent,
    percentages: [...document.querySelectorAll('#probs tr td:nth-child(3)')].map(td => td.textContent),
  }));
}
