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
		body: body === undefined ? undefined : JSON.stringify(body),
		credentials: 'same-origin',
		cache: 'no-store',
	});
	let data = null;
	if (resp.status !== 204) {
		try {
			data = await resp.json();
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
