import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync'] });
const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
const page = await ctx.newPage();
await page.goto('http://127.0.0.1:3999/');
await page.locator('a[href^="/chat/"]').first().click();
await page.waitForLoadState('networkidle');
await page.locator('#content').fill('Tell me a long story [[mock:{"tokens":400,"delayMs":12}]]');
await page.getByTestId('send').click();
const main = page.locator('#main');
await page.locator('li[data-role=assistant][data-status=streaming]').waitFor();
await page.waitForTimeout(1500);
console.log('gap', await main.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight));
await main.evaluate((el) => { window.__log = []; el.addEventListener('scroll', () => window.__log.push([Math.round(performance.now()), el.scrollTop, el.scrollHeight])); el.scrollTo({ top: 0 }); });
for (let i = 0; i < 5; i++) { await page.waitForTimeout(200); console.log(await main.evaluate((el) => [el.scrollTop, el.scrollHeight])); }
console.log(JSON.stringify(await page.evaluate(() => window.__log.slice(0, 10))));
await browser.close();
