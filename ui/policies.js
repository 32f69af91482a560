// Policies: the list, one policy's rules grouped by type, and the editor
// (its rules: rules.js).
import { api, enc, toJSON } from './api.js';
import { h, select, table, empty } from './dom.js';
import { TYPES, rulesEditor } from './rules.js';

export { TYPES };
const MODES = ['enforce', 'monitor', 'disabled'];

function ruleCounts(types) {
	const parts = TYPES.filter((t) => types && types[t]).map((t) => `${t} ${types[t]}`);
	return parts.length ? parts.join(', ') : 'none';
}

export async function policiesPage() {
	const [{ policies }, { images }, { containers }] = await Promise.all([
		api('GET', '/api/v1/policies'), api('GET', '/api/v1/images'),
		api('GET', '/api/v1/containers')]);
	const head = h('div', { class: 'page-head' }, h('h1', null, 'Policies'),
		h('a', { class: 'button', href: '#/policies/new' }, 'New policy'));
	if (!policies.length)
		return h('section', null, head, empty('No policies yet.',
			h('p', null, 'Create one, then apply it to an image on the Images page.')));
	const rows = policies.map((p) => {
		const imgs = images.filter((i) => i.policy === p.id).map((i) => i.image);
		const ctrs = containers.filter((c) => c.policy === p.id).map((c) => c.id);
		return { attrs: { 'data-policy': p.name }, cells: [
			h('a', { href: `#/policies/${enc(p.id)}` }, p.name),
			h('span', { class: `mode mode-${p.mode}` }, p.mode),
			`${p.rules} (${ruleCounts(p.rule_types)})`,
			imgs.length ? imgs.join(', ') : '—',
			ctrs.length ? ctrs.join(', ') : '—'] };
	});
	return h('section', null, head, table('Policies',
		['Name', 'Mode', 'Rules', 'Images', 'Containers'], rows, { id: 'policies' }));
}

// The fields a rule of a type shows besides name, program, action, enabled.
export function ruleDetail(r) {
	const skip = new Set(['name', 'program', 'action', 'enabled', 'type']);
	return Object.entries(r).filter(([k, v]) => !skip.has(k) && v !== null &&
		!(Array.isArray(v) && !v.length))
		.map(([k, v]) => `${k}: ${Array.isArray(v) || typeof v === 'object' ? toJSON(v) : v}`)
		.join('; ');
}

export async function policyPage(id) {
	const [p, { containers }, { images }] = await Promise.all([
		api('GET', `/api/v1/policies/${enc(id)}`),
		api('GET', `/api/v1/policies/${enc(id)}/containers`), api('GET', '/api/v1/images')]);
	const doc = p.policy;
	const err = h('p', { class: 'error', role: 'alert', id: 'delete-error' });
	const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
		if (!confirm(`Delete policy ${p.name}?`))
			return;
		try {
			await api('DELETE', `/api/v1/policies/${enc(id)}`, undefined,
				{ 'If-Match': `"${p.revision}"` });
			location.hash = '#/policies';
		} catch (x) {
			err.textContent = x.message;
		}
	} }, 'Delete');
	// A rule switched on or off: the whole document again, conditional on its revision.
	const toggle = async (i, on) => {
		err.textContent = '';
		const next = Object.assign({}, doc, { rules: doc.rules.map((r, j) =>
			j === i ? Object.assign({}, r, { enabled: on }) : r) });
		try {
			await api('PUT', `/api/v1/policies/${enc(id)}`, next, { 'If-Match': `"${p.revision}"` });
			const el = await policyPage(id);
			document.getElementById('main').replaceChildren(el);
			document.getElementById(`rule-on-${i}`)?.focus();
		} catch (x) {
			err.textContent = x.message;
		}
	};
	const da = doc.default_actions || {};
	const groups = TYPES.map((t) => {
		const rules = doc.rules.map((r, i) => [r, i]).filter(([r]) => r.type === t);
		return h('section', { class: 'rule-group', 'data-type': t },
			h('h3', null, `${t} rules (${rules.length})`, ' ',
				h('span', { class: 'muted' }, `default: ${da[t] || 'allow'}`)),
			rules.length ? table(`${t} rules`, ['#', 'Name', 'Program', 'Action', 'Enabled', 'Match'],
				rules.map(([r, i]) => ({ attrs: { class: r.enabled === false ? 'disabled' : null },
					cells: [String(i), r.name || '—', r.program || '*',
						h('span', { class: `action action-${r.action}` }, r.action),
						h('input', { type: 'checkbox', id: `rule-on-${i}`, checked: r.enabled !== false,
							'aria-label': `Rule ${i} enabled`,
							onchange: (e) => toggle(i, e.target.checked) }),
						ruleDetail(r)] })))
				: h('p', { class: 'muted' }, 'No rules of this type.'));
	});
	const imgs = images.filter((i) => i.policy === id).map((i) => i.image);
	return h('section', null,
		h('div', { class: 'page-head' }, h('h1', null, `Policy ${p.name}`),
			h('span', { class: 'actions' },
				h('a', { class: 'button', href: `#/policies/${enc(id)}/edit` }, 'Edit'), del)),
		err,
		h('dl', { class: 'facts' },
			h('dt', null, 'Id'), h('dd', null, p.id),
			h('dt', null, 'Mode'), h('dd', { id: 'policy-mode' }, doc.mode),
			h('dt', null, 'Learning'), h('dd', null, doc.learning ? 'on' : 'off'),
			h('dt', null, 'Revision'), h('dd', null, String(p.revision)),
			h('dt', null, 'Updated'), h('dd', null, p.updated),
			h('dt', null, 'Images'), h('dd', null, imgs.length ? imgs.join(', ') : 'none'),
			h('dt', null, 'Containers'),
			h('dd', null, containers.length ? containers.map((c) => c.id).join(', ') : 'none')),
		h('h2', null, 'Rules'), groups);
}

export async function policyEditPage(id) {
	const p = id ? await api('GET', `/api/v1/policies/${enc(id)}`) : null;
	const doc = p ? p.policy : { name: '', mode: 'enforce', default_actions: {}, rules: [] };
	const errs = {};
	const field = (name, label, control, hint) => {
		errs[name] = h('p', { class: 'field-error', id: `err-${name}`, 'aria-live': 'polite' });
		control.setAttribute('aria-describedby', `err-${name}`);
		return h('div', { class: 'field', 'data-field': name },
			h('label', { for: control.id }, label), control,
			hint ? h('p', { class: 'hint' }, hint) : null, errs[name]);
	};
	const name = h('input', { id: 'f-name', name: 'name', value: doc.name, required: true });
	const mode = select({ id: 'f-mode', name: 'mode' }, MODES, doc.mode);
	const da = {};
	for (const t of TYPES)
		da[t] = select({ id: `f-da-${t}`, name: `default_actions.${t}` }, ['allow', 'deny'],
			(doc.default_actions || {})[t] || 'allow');
	const rules = rulesEditor(doc.rules || []);
	const general = h('p', { class: 'error', role: 'alert', id: 'err-general' });

	// The API's message beside the field it names (a rule's field in the
	// rule's card, or the JSON box), else above the form.
	const showError = (x) => {
		const f = x.body && x.body.field;
		let at = { slot: general, control: null };
		if (f && errs[f])
			at = { slot: errs[f], control: errs[f].parentElement.querySelector('input, select') };
		else if (f && /^rules($|[[.])/.test(f))
			at = rules.errorAt(f);
		at.slot.textContent = x.message;
		if (at.control) {
			at.control.setAttribute('aria-invalid', 'true');
			at.control.focus();
		}
	};
	const form = h('form', { class: 'editor', novalidate: true, onsubmit: async (e) => {
		e.preventDefault();
		for (const el of form.querySelectorAll('.field-error, #err-general'))
			el.textContent = '';
		for (const el of form.querySelectorAll('[aria-invalid]'))
			el.removeAttribute('aria-invalid');
		let list;
		try {
			list = rules.rules();
		} catch (x) {
			showError(x);
			return;
		}
		const body = Object.assign({}, doc, {
			name: name.value, mode: mode.value, rules: list,
			default_actions: Object.fromEntries(TYPES.map((t) => [t, da[t].value])),
		});
		try {
			const saved = p ?
				await api('PUT', `/api/v1/policies/${enc(id)}`, body, { 'If-Match': `"${p.revision}"` }) :
				await api('POST', '/api/v1/policies', body);
			location.hash = `#/policies/${enc(saved.id)}`;
		} catch (x) {
			showError(x);
		}
	} },
	general,
	field('name', 'Name', name),
	field('mode', 'Mode', mode, 'enforce: deny rules block; monitor: they only report; disabled: nothing is checked.'),
	h('fieldset', null, h('legend', null, 'Default actions (when no rule matches)'),
		TYPES.map((t) => field(`default_actions.${t}`, t, da[t]))),
	rules.el,
	h('div', { class: 'actions' }, h('button', { type: 'submit' }, p ? 'Save' : 'Create'),
		h('a', { class: 'button secondary', href: p ? `#/policies/${enc(id)}` : '#/policies' }, 'Cancel')));
	return h('section', null, h('h1', null, p ? `Edit policy ${p.name}` : 'New policy'), form);
}
