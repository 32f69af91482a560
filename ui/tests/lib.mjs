// What the console's browser tests share (console.test.mjs: make ui-test,
// kernel.test.mjs: make ui-kernel-test): numbered checks, the API with the
// bearer token, chromium with the browser console watched, DOM helpers.
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

// Checks print "ok N - name" or "not ok N - name (got: ...)". Numbering
// starts after TAP_START (a script that checked things before).
let pass = 0;
let fail = 0;
let n = Number(process.env.TAP_START || 0);

export function ok(name, cond, detail) {
	n++;
	if (cond) {
		pass++;
		console.log(`ok ${n} - ${name}`);
	} else {
		fail++;
		console.log(`not ok ${n} - ${name}${detail === undefined ? '' : ` (got: ${JSON.stringify(detail)})`}`);
	}
}

// The end: "N passed, N failed", or with COUNTS_FILE the counts written
// there ("PASS FAIL") for the calling script to add its own. Exit status.
export function done() {
	if (process.env.COUNTS_FILE)
		writeFileSync(process.env.COUNTS_FILE, `${pass} ${fail}\n`);
	else
		console.log(`${pass} passed, ${fail} failed`);
	return fail ? 1 : 0;
}

// The API with the bearer token, as curl would use it. A string body is sent
// as it is; raw is the answer's text (integers beyond 2^53 exact).
export function apiClient(url, token) {
	return async (method, path, body) => {
		const r = await fetch(url + path, {
			method,
			headers: Object.assign({ Authorization: `Bearer ${token}` },
				body ? { 'Content-Type': 'application/json' } : {}),
			body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
		});
		const raw = r.status === 204 ? '' : await r.text();
		return { status: r.status, body: raw ? JSON.parse(raw) : null, raw };
	};
}

// Chromium (CHROMIUM, headless) on a 1280x800 page. errors collects what the
// browser console reports besides the API refusals a walk provokes (400,
// 401, 404, 409 logged as failed loads): CSP violations, page errors, and
// any 404 whose URL expected404 (a RegExp) does not match.
export async function openBrowser(expected404) {
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true,
		args: ['--no-sandbox'] });
	const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
	const errors = [];
	page.on('console', (m) => {
		if (m.type() === 'error' &&
		    !/^Failed to load resource: the server responded with a status of (400|401|404|409) /.test(m.text()))
			errors.push(m.text());
	});
	page.on('response', (r) => {
		if (r.status() === 404 && !(expected404 && expected404.test(r.url())))
			errors.push(`404: ${r.url()}`);
	});
	page.on('pageerror', (e) => errors.push(String(e)));
	return { browser, page, errors };
}

// The trimmed text of the first element matching sel, once visible.
export async function text(page, sel, timeout) {
	const el = await page.waitForSelector(sel, { timeout: timeout || 5000 }).catch(() => null);
	return el ? (await el.textContent()).trim() : `(no ${sel})`;
}

// Equal JSON values, whatever the order of their keys.
export function same(a, b) {
	const norm = (v) => (Array.isArray(v) ? v.map(norm) : v && typeof v === 'object' ?
		Object.fromEntries(Object.keys(v).sort().map((k) => [k, norm(v[k])])) : v);
	return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

export const focused = (page) => page.evaluate(() => document.activeElement.id);

// The error messages shown on the page, as [slot id, text].
export const shownErrors = (page) => page.$$eval('.field-error', (els) =>
	els.filter((e) => e.textContent).map((e) => [e.id, e.textContent]));

// Controls of the page's main part without a label.
export const unlabelled = (page) => page.$$eval('main input, main select, main button, main textarea',
	(els) => els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') &&
		!e.textContent.trim()).map((e) => e.id || e.outerHTML.slice(0, 60)));
