// The API client: same origin, the session cookie (if any) sent by the
// browser, the CSRF token added to every change (docs/console.md).

let csrf = null;

export class ApiError extends Error {
	constructor(status, body) {
		super(body && body.error ? body.error : `HTTP ${status}`);
		this.status = status;
		this.body = body || {};
	}
}

// JSON with exact integers: a syscall rule's argument value goes up to
// 2^64-1, beyond what a Number holds (2^53). Such integers are parsed as
// BigInt from their source text and written back digit for digit
// (JSON.rawJSON), so a policy read, edited and saved keeps them. Browsers
// without source access keep them as Numbers, as JSON.parse does.
export function parseJSON(text) {
	return JSON.parse(text, (k, v, ctx) => typeof v === 'number' && !Number.isSafeInteger(v) &&
		ctx && /^-?[0-9]+$/.test(ctx.source) ? BigInt(ctx.source) : v);
}

export function toJSON(value, space) {
	return JSON.stringify(value, (k, v) => typeof v !== 'bigint' ? v :
		typeof JSON.rawJSON === 'function' ? JSON.rawJSON(String(v)) : Number(v), space);
}

export function setCsrf(t) {
	csrf = t;
}

// Resolves to the parsed body (null for 204); rejects with ApiError.
export async function api(method, path, body, headers) {
	const h = Object.assign({}, headers);
	if (body !== undefined)
		h['Content-Type'] = 'application/json';
	if (method !== 'GET' && csrf)
		h['X-CRSD-CSRF'] = csrf;
	const resp = await fetch(path, {
		method,
		headers: h,
		body: body === undefined ? undefined : toJSON(body),
		credentials: 'same-origin',
		cache: 'no-store',
	});
	let data = null;
	if (resp.status !== 204) {
		try {
			data = parseJSON(await resp.text());
		} catch {
			data = null;
		}
	}
	if (!resp.ok)
		throw new ApiError(resp.status, data);
	return data;
}

export function enc(s) {
	return encodeURIComponent(s);
}
