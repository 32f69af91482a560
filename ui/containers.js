// Containers: each with its image, cgroup, policy and effective mode, and
// its overrides (mode, log mask, learning, passive) changed in place with PATCH.
import { api, enc } from './api.js';
import { h, select, table, empty } from './dom.js';

const LOGS = [['default', 'default (deny)'], ['deny,alert', 'deny, alert'], ['all', 'all'],
	['none', 'none']];

function logValue(ov) {
	if (!ov)
		return 'default';
	const s = ov.slice().sort().join(',');
	if (s === 'alert,deny')
		return 'deny,alert';
	if (s === 'alert,allow,behavior,deny')
		return 'all';
	if (!ov.length)
		return 'none';
	return s === 'deny' ? 'default' : s;
}

// crsd's outcome, and what crs.ko itself says of the container when crsd read it back.
function kernelCell(k) {
	if (!k)
		return '—';
	const parts = [h('span', { 'data-kernel-state': '' }, k.state)];
	if (k.mode !== undefined)
		parts.push(' ', h('span', { class: 'muted', title: k.read ? `read from crs.ko at ${k.read}` : '' },
			'crs.ko: ', h('span', { 'data-kernel-mode': '' }, k.mode === null ? 'no table' : k.mode),
			k.log ? `, log ${k.log}` : '', k.learning ? ', learning' : ''));
	return h('span', null, parts);
}

export async function containersPage() {
	const [{ containers }, { policies }] = await Promise.all([
		api('GET', '/api/v1/containers'), api('GET', '/api/v1/policies')]);
	const pname = new Map(policies.map((p) => [p.id, p.name]));
	const status = h('p', { class: 'status', role: 'status', id: 'containers-status' });
	// focus: the id of the control changed, focused again on the new page
	const patch = async (c, change, errEl, focus) => {
		errEl.textContent = '';
		try {
			const n = await api('PATCH', `/api/v1/containers/${enc(c.id)}/overrides`, change);
			const el = await containersPage();
			document.getElementById('main').replaceChildren(el);
			document.getElementById('containers-status').textContent =
				`${c.id}: effective mode ${n.effective_mode}, learning ${n.learning.effective ? 'on' : 'off'}.`;
			document.getElementById(focus || `ov-mode-${c.id}`)?.focus();
		} catch (x) {
			errEl.textContent = x.message;
		}
	};
	const rows = containers.map((c) => {
		const err = h('span', { class: 'field-error' });
		const ov = c.overrides || {};
		const mode = select({ id: `ov-mode-${c.id}`, 'aria-label': `Mode override for ${c.id}`,
			onchange: (e) => patch(c, { mode: e.target.value === 'policy' ? null : e.target.value }, err) },
		[['policy', 'follow the policy'], 'enforce', 'monitor', 'disabled'], ov.mode || 'policy');
		const log = select({ id: `ov-log-${c.id}`, 'aria-label': `Log override for ${c.id}`,
			onchange: (e) => patch(c, { log: e.target.value === 'default' ? null : e.target.value }, err) },
		LOGS, logValue(ov.log));
		const passive = h('input', { type: 'checkbox', id: `ov-passive-${c.id}`, checked: c.passive,
			onchange: (e) => patch(c, { passive: e.target.checked ? true : null }, err) });
		const lv = ov.learning === true ? 'on' : ov.learning === false ? 'off' : 'policy';
		const learn = select({ id: `ov-learn-${c.id}`, 'aria-label': `Learning override for ${c.id}`,
			onchange: (e) => patch(c, { learning: e.target.value === 'policy' ? null : e.target.value === 'on' }, err,
				e.target.id) },
		[['policy', 'learning: follow the policy'], ['on', 'learning on'], ['off', 'learning off']], lv);
		return { attrs: { 'data-container': c.id }, cells: [c.id, c.image,
			h('code', { class: 'cgroup' }, c.cgroup),
			c.policy ? h('a', { href: `#/policies/${enc(c.policy)}` }, pname.get(c.policy) || c.policy) : 'none',
			h('span', { class: `mode mode-${c.effective_mode}`, 'data-effective': '' }, c.effective_mode),
			kernelCell(c.kernel),
			h('span', { class: 'inline' }, mode, log, learn,
				h('label', { for: `ov-passive-${c.id}` }, passive, ' passive'), err)] };
	});
	return h('section', null, h('h1', null, 'Containers'), status,
		containers.length ? table('Containers', ['Id', 'Image', 'Cgroup', 'Policy', 'Effective mode',
			'Kernel', 'Overrides'], rows, { id: 'containers' }) :
			empty('No containers yet.', h('p', null,
				'crsd-hook registers containers as the runtime starts them; crsd also finds running ones when it starts.')));
}
