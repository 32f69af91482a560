// The CRS console (docs/console.md): a hash router over five pages, and the
// login that trades the API token for a session on TCP.
import { api, setCsrf, ApiError } from './api.js';
import { h, clear } from './dom.js';
import { policiesPage, policyPage, policyEditPage } from './policies.js';
import { imagesPage } from './images.js';
import { containersPage } from './containers.js';
import { eventsPage, stopEvents } from './events.js';
import { learningPage, profilePage } from './learning.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

const routes = [
	[/^#\/policies\/new$/, () => policyEditPage(null)],
	[/^#\/policies\/([^/?]+)\/edit$/, (m) => policyEditPage(decodeURIComponent(m[1]))],
	[/^#\/policies\/([^/?]+)$/, (m) => policyPage(decodeURIComponent(m[1]))],
	[/^#\/policies$/, () => policiesPage()],
	[/^#\/images$/, () => imagesPage()],
	[/^#\/containers$/, () => containersPage()],
	[/^#\/learning\/(container|image)\/(.+)$/, (m) => profilePage(m[1], decodeURIComponent(m[2]))],
	[/^#\/learning$/, () => learningPage()],
	[/^#\/events(\?.*)?$/, (m) => eventsPage(new URLSearchParams((m[1] || '').slice(1)))],
];

function loginPage(message) {
	const input = h('input', { id: 'token', name: 'token', type: 'password', required: true,
		autocomplete: 'current-password', 'aria-describedby': 'token-error' });
	const err = h('p', { id: 'token-error', class: 'field-error', 'aria-live': 'polite' }, message || '');
	const form = h('form', { class: 'login', onsubmit: async (e) => {
		e.preventDefault();
		err.textContent = '';
		try {
			const s = await api('POST', '/api/v1/session', { token: input.value });
			setCsrf(s.csrf);
			who.textContent = 'Logged in';
			showNav(true);
			render();
		} catch (x) {
			err.textContent = x.message;
			input.focus();
		}
	} },
	h('h1', null, 'Log in'),
	h('p', null, 'crsd asks for its API token (the first line of its --token-file).'),
	h('label', { for: 'token' }, 'API token'), input, err,
	h('button', { type: 'submit' }, 'Log in'));
	clear(main).append(form);
	showNav(false);
	input.focus();
}

function showNav(on) {
	nav.hidden = !on;
	document.getElementById('logout').hidden = !on || who.dataset.auth !== 'session';
}

async function logout() {
	try {
		await api('DELETE', '/api/v1/session');
	} catch {
		/* already gone */
	}
	setCsrf(null);
	who.dataset.auth = '';
	who.textContent = '';
	loginPage('Logged out.');
}

// fromNav: a link was followed; the focus moves to the new page's content.
async function render(fromNav) {
	stopEvents();
	const hash = location.hash || '#/policies';
	for (const a of nav.querySelectorAll('a'))
		a.setAttribute('aria-current', hash.startsWith(a.getAttribute('href')) ? 'page' : 'false');
	for (const [re, page] of routes) {
		const m = hash.match(re);
		if (!m)
			continue;
		clear(main).append(h('p', { class: 'loading' }, 'Loading…'));
		try {
			const el = await page(m);
			clear(main).append(el);
			const title = main.querySelector('h1');
			document.title = `${title ? title.textContent : 'CRS'} – CRS console`;
			if (fromNav === true)
				main.focus({ preventScroll: true });
		} catch (x) {
			if (x instanceof ApiError && x.status === 401)
				return loginPage('Your session has ended: log in again.');
			clear(main).append(h('p', { class: 'error', role: 'alert' }, x.message));
		}
		return;
	}
	clear(main).append(h('h1', null, 'Not found'), h('p', null, 'No such page. ',
		h('a', { href: '#/policies' }, 'Policies')));
}

async function start() {
	document.getElementById('logout').addEventListener('click', logout);
	window.addEventListener('hashchange', () => render(true));
	let s;
	try {
		s = await api('GET', '/api/v1/session');
	} catch (x) {
		if (x instanceof ApiError && x.status === 401)
			return loginPage();
		clear(main).append(h('p', { class: 'error', role: 'alert' }, x.message));
		return;
	}
	setCsrf(s.csrf || null);
	who.dataset.auth = s.auth;
	who.textContent = s.auth === 'socket' ? 'Unix socket' : 'Logged in';
	showNav(true);
	render();
}

start();
