// Events: the stored events matching the filters, then the live stream
// (Server-Sent Events) appending to the same table; counts per rule; the
// drop counters of crs.ko and crsd when anything was dropped.
import { api } from './api.js';
import { h, select, table, empty } from './dom.js';
import { TYPES } from './policies.js';

const FILTERS = ['container', 'image', 'policy', 'type', 'action', 'since', 'until'];
const SHOWN = 200;
let source = null;

export function stopEvents() {
	if (source) {
		source.close();
		source = null;
	}
}

function what(e) {
	if (e.path)
		return e.access ? `${e.path} (${[].concat(e.access).join(', ')})` : e.path;
	if (e.syscall)
		return e.syscall;
	if (e.remote || e.local)
		return JSON.stringify(e.remote || e.local);
	return '';
}

// What happened, and, when the mode let through what the policy denies,
// what the policy decided: "allow (monitor: would deny)".
function action(e) {
	return h('span', null, h('span', { class: `action action-${e.action}` }, e.action || ''),
		e.verdict && e.verdict !== e.action ?
			h('span', { class: 'muted' }, ` (${e.mode || 'mode'}: would ${e.verdict})`) : null);
}

function row(e) {
	return h('tr', { 'data-seq': String(e.seq) }, [
		e.time || '', e.type || '', action(e),
		e.container || '—', e.image || '—', e.policy || '—', e.rule_name || '—',
		e.program || '', what(e)].map((c) => h('td', null, c)));
}

function drops(status) {
	const k = status.kernel || {};
	const kc = k.counters || {};
	const ev = status.events || {};
	const parts = [];
	if (kc.events_dropped)
		parts.push(`crs.ko dropped ${kc.events_dropped}`);
	if (ev.lost)
		parts.push(`crsd lost ${ev.lost}`);
	if (ev.overruns)
		parts.push(`${ev.overruns} receive buffer overruns`);
	return parts;
}

export async function eventsPage(params) {
	const q = new URLSearchParams();
	for (const f of FILTERS)
		if (params.get(f))
			q.set(f, params.get(f));
	// The newest SHOWN: page through from the start, keeping the last ones.
	let events = [];
	let cursor = null;
	for (let i = 0; i < 50; i++) {
		const page = new URLSearchParams(q);
		page.set('limit', '1000');
		if (cursor !== null)
			page.set('cursor', String(cursor));
		const r = await api('GET', `/api/v1/events?${page}`);
		events = events.concat(r.events).slice(-SHOWN);
		if (r.next_cursor === null)
			break;
		cursor = r.next_cursor;
	}
	const status = await api('GET', '/api/v1/status');
	const lastSeq = events.length ? events[events.length - 1].seq : null;

	const inputs = {};
	const ctl = (f, label, control) => {
		inputs[f] = control;
		return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
	};
	const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
		e.preventDefault();
		const n = new URLSearchParams();
		for (const f of FILTERS)
			if (inputs[f].value.trim())
				n.set(f, inputs[f].value.trim());
		location.hash = `#/events${n.toString() ? '?' + n : ''}`;
	} },
	ctl('container', 'Container', h('input', { id: 'flt-container', value: q.get('container') || '' })),
	ctl('image', 'Image', h('input', { id: 'flt-image', value: q.get('image') || '' })),
	ctl('policy', 'Policy id', h('input', { id: 'flt-policy', value: q.get('policy') || '' })),
	ctl('type', 'Type', select({ id: 'flt-type' }, [['', 'any'], ...TYPES], q.get('type') || '')),
	ctl('action', 'Action', select({ id: 'flt-action' }, [['', 'any'], 'deny', 'allow'], q.get('action') || '')),
	ctl('since', 'Since', h('input', { id: 'flt-since', placeholder: '2026-11-28T18:00:00Z', value: q.get('since') || '' })),
	ctl('until', 'Until', h('input', { id: 'flt-until', placeholder: 'RFC 3339 or Unix seconds', value: q.get('until') || '' })),
	h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'),
		h('a', { class: 'button secondary', href: '#/events' }, 'Clear')));

	const tbody = h('tbody', { id: 'events-body' }, events.slice().reverse().map(row));
	const tbl = h('table', { id: 'events' },
		h('caption', { class: 'visually-hidden' }, 'Events, newest first'),
		h('thead', null, h('tr', null, ['Time', 'Type', 'Action', 'Container', 'Image', 'Policy',
			'Rule', 'Program', 'Object'].map((t) => h('th', { scope: 'col' }, t)))), tbody);
	const none = empty('No events match yet. New ones appear here as they arrive.');
	none.hidden = events.length > 0;
	tbl.hidden = !events.length;
	const counts = new Map();
	const countsEl = h('div', { id: 'rule-counts' });
	const drawCounts = () => {
		const rows = [...counts.entries()].sort((a, b) => b[1] - a[1])
			.map(([k, n]) => [k, String(n)]);
		countsEl.replaceChildren(h('h2', null, 'Counts per rule'), rows.length ?
			table('Counts per rule', ['Rule', 'Events'], rows) : h('p', { class: 'muted' }, 'None.'));
	};
	const add = (e) => {
		const k = e.rule_name || (e.rule_index !== null && e.rule_index !== undefined ?
			`rule ${e.rule_index}` : `default (${e.type || '?'})`);
		counts.set(k, (counts.get(k) || 0) + 1);
	};
	events.forEach(add);
	drawCounts();
	const live = h('p', { class: 'status', role: 'status', id: 'live' }, 'Connecting to the live stream…');
	const dropped = drops(status);
	const dropEl = dropped.length ? h('p', { class: 'warning', role: 'alert', id: 'drops' },
		`Events were dropped: ${dropped.join('; ')}.`) : null;

	stopEvents();
	const sq = new URLSearchParams(q);
	if (lastSeq !== null)
		sq.set('cursor', String(lastSeq));
	source = new EventSource(`/api/v1/events/stream?${sq}`);
	source.addEventListener('open', () => { live.textContent = 'Live: new events appear at the top.'; });
	source.addEventListener('error', () => { live.textContent = 'Live stream interrupted; reconnecting…'; });
	source.addEventListener('event', (m) => {
		let e;
		try {
			e = JSON.parse(m.data);
		} catch {
			return;
		}
		none.hidden = true;
		tbl.hidden = false;
		tbody.prepend(row(e));
		while (tbody.rows.length > SHOWN)
			tbody.lastElementChild.remove();
		add(e);
		drawCounts();
	});
	return h('section', null, h('h1', null, 'Events'), dropEl, form, live, none,
		h('div', { class: 'scroll' }, tbl), countsEl);
}
