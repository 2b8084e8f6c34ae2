import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');

/** Where browser tests save their screenshots (inside the gitignored `test-results`). */
export const SCREENSHOT_DIR = path.join(root, 'test-results', 'screenshots');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The system Chromium, headless. Never downloads a browser. */
export function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-quic',
			'--no-first-run'
		]
	});
}

export interface PhoneOptions {
	javaScriptEnabled?: boolean;
	locale?: string;
	width?: number;
	height?: number;
}

/** A fresh phone-sized context (390×844 @2x, touch) with its own cookie jar. */
export function newPhone(browser: Browser, opts: PhoneOptions = {}): Promise<BrowserContext> {
	return browser.newContext({
		viewport: { width: opts.width ?? 390, height: opts.height ?? 844 },
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
		javaScriptEnabled: opts.javaScriptEnabled ?? true,
		locale: opts.locale ?? 'en-US'
	});
}

/** Saves a screenshot as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const file = path.join(SCREENSHOT_DIR, `${name}.png`);
	await page.screenshot({ path: file });
	return file;
}
