// The rules of the policy editor (docs/console.md, "Policies"): one card
// per rule with the fields of its type (docs/policy.md), or the whole array
// as JSON. Both views edit the same rule objects: a key the form does not
// know stays in its rule as it was and is sent back on save.
import { h, select } from './dom.js';
import { ApiError, parseJSON, toJSON } from './api.js';

export const TYPES = ['file', 'execute', 'listener', 'network', 'syscall'];
// Each type's own fields, in the order the card shows them.
const OWN = {
	file: ['path', 'access'],
	execute: ['path'],
	listener: ['address', 'port', 'protocol'],
	network: ['direction', 'address', 'port', 'protocol'],
	syscall: ['syscall', 'args'],
};
const KNOWN = new Set(['type', 'name', 'program', 'action', 'enabled', ...Object.values(OWN).flat()]);
const PROTOCOLS = { listener: ['tcp', 'udp', 'any'], network: ['tcp', 'udp', 'icmp', 'any'] };
const OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'mask_all', 'mask_any'];
// What a new rule, or a rule changed to another type, starts with.
const START = { path: '', access: ['read'], direction: 'outbound', address: '*', port: '*', syscall: '',
	args: [] };
const startProtocol = (type) => (type === 'listener' ? 'tcp' : 'any');

// Where V8 says a JSON.parse error is: "line L column C" or "position N".
function jsonErrorAt(text, message) {
	let m = message.match(/line (\d+) column (\d+)/);
	if (m)
		return [Number(m[1]), Number(m[2])];
	m = message.match(/position (\d+)/);
	if (!m)
		return null;
	const before = text.slice(0, Number(m[1])).split('\n');
	return [before.length, before[before.length - 1].length + 1];
}

// A text field's value as the API takes it: a decimal integer as a number
// (a BigInt beyond 2^53), anything else as typed, for the API to judge.
function intOrText(s) {
	const t = s.trim();
	if (!/^-?(0|[1-9][0-9]*)$/.test(t))
		return t;
	const n = Number(t);
	return Number.isSafeInteger(n) ? n : BigInt(t);
}

const shown = (v) => (v === undefined || v === null ? '' : String(v));

// Rule r becomes a rule of another type: the fields of its old type go (the
// API would refuse them), the new type's start as a new rule's do.
function retype(r, type) {
	const mine = OWN[type] || [];
	for (const k of Object.values(OWN).flat())
		if (!mine.includes(k))
			delete r[k];
	r.type = type;
	for (const k of mine)
		if (!(k in r))
			r[k] = k === 'protocol' ? startProtocol(type) : structuredClone(START[k]);
}

function newRule(type) {
	const r = { type, action: 'deny', program: '*', enabled: true };
	retype(r, type);
	return r;
}

// rulesEditor(rules): { el, rules(), errorAt(field), focusFirst() }
//   rules()         the array to send; in the JSON view, what the text parses to
//                   (a syntax error throws an ApiError on "rules" with line and column)
//   errorAt(field)  for an API error's field (rules[3].port, rules[3].args[0].value,
//                   rules[3].comment, rules): { slot, control } of the closest field shown
export function rulesEditor(initial) {
	let rules = structuredClone(initial || []);
	let slots = {};
	const cards = h('div', { id: 'rule-cards' });
	const status = h('p', { class: 'status', role: 'status', id: 'rules-status' });
	const text = h('textarea', { id: 'f-rules', name: 'rules', rows: 16, spellcheck: 'false',
		'aria-describedby': 'err-rules' });
	const err = h('p', { class: 'field-error', id: 'err-rules', 'aria-live': 'polite' });
	const jsonView = h('div', { class: 'json-view' },
		h('label', { for: 'f-rules' }, 'Rules (JSON array)'), text,
		h('p', { class: 'hint' }, 'Each rule: {"type", "action", "program", "path", "access", ...} as in ' +
			'docs/policy.md. "enabled": false keeps a rule without applying it. Fields the form ' +
			'does not show are kept here.'));
	const addType = select({ id: 'add-rule-type' }, TYPES, 'file');
	const addButton = h('button', { type: 'button', id: 'add-rule', class: 'secondary', onclick: () => {
		rules.push(newRule(addType.value));
		render();
		status.textContent = `Rule ${rules.length - 1} (${addType.value}) added.`;
		document.getElementById(`r${rules.length - 1}-name`).focus();
	} }, 'Add rule');
	const formView = h('div', { class: 'form-view' }, cards,
		h('div', { class: 'add-rule' }, h('label', { for: 'add-rule-type' }, 'New rule of type'), addType,
			addButton));
	const radio = (v, label) => h('label', { for: `view-${v}` },
		h('input', { type: 'radio', name: 'rules-view', id: `view-${v}`, value: v,
			onchange: () => show(v) }), ` ${label}`);
	const views = h('fieldset', { class: 'view-switch' }, h('legend', null, 'Edit the rules as'),
		radio('form', 'a form, one card per rule'), radio('json', 'JSON'));

	// The text of the JSON view as rules, or an error shown beside it.
	const parseText = () => {
		try {
			return parseJSON(text.value);
		} catch (x) {
			const at = jsonErrorAt(text.value, x.message);
			throw new ApiError(400, { field: 'rules', error: at ?
				`rules: line ${at[0]}, column ${at[1]}: not valid JSON` : `rules: ${x.message}` });
		}
	};
	const isJson = () => views.querySelector('#view-json').checked;
	function show(v) {
		err.textContent = '';
		text.removeAttribute('aria-invalid');
		if (v === 'json') {
			text.value = toJSON(rules, 2);
		} else {
			let list;
			try {
				list = parseText();
				const bad = Array.isArray(list) ? list.findIndex((r) => !r || typeof r !== 'object' ||
					Array.isArray(r)) : -1;
				if (!Array.isArray(list) || bad >= 0)
					throw new ApiError(400, { field: 'rules', error: !Array.isArray(list) ?
						'rules: must be an array to be shown as a form' :
						`rules[${bad}]: not an object; the form shows objects only` });
			} catch (x) {
				views.querySelector('#view-json').checked = true;
				err.textContent = x.message;
				text.setAttribute('aria-invalid', 'true');
				text.focus();
				return;
			}
			rules = list;
			render();
		}
		jsonView.hidden = v !== 'json';
		formView.hidden = v === 'json';
		views.querySelector(`#view-${v}`).checked = true;
	}

	// A labelled field of rule i, with its error slot (keyed by the API's field name).
	const field = (i, key, label, control, cls) => {
		const slot = h('p', { class: 'field-error', id: `err-${control.id}`, 'aria-live': 'polite' });
		slot.control = control;
		slots[`rules[${i}].${key}`] = slot;
		control.setAttribute('aria-describedby', slot.id);
		return h('div', { class: `field${cls ? ` ${cls}` : ''}`, 'data-field': `rules[${i}].${key}` },
			h('label', { for: control.id }, label), control, slot);
	};
	// A text input of rule r: empty removes the key (the API's default applies).
	const input = (r, i, key, placeholder, conv) => h('input', { id: `r${i}-${key}`, type: 'text',
		value: shown(r[key]), placeholder, autocomplete: 'off', spellcheck: 'false', oninput: (e) => {
			if (e.target.value.trim() === '')
				delete r[key];
			else
				r[key] = conv ? conv(e.target.value) : e.target.value;
		} });
	// A select of rule r. A value it does not offer (typed in the JSON view)
	// is kept as an option; a key not set offers "unset" (the API's default).
	const choice = (r, i, key, options, unset) => select({ id: `r${i}-${key}`, onchange: (e) => {
		if (e.target.value === '' && !options.includes(''))
			delete r[key];
		else
			r[key] = e.target.value;
	} }, [...(r[key] === undefined ? [['', unset || '(not set)']] : []), ...options,
		...(r[key] === undefined || options.includes(r[key]) ? [] : [shown(r[key])])], shown(r[key]));

	function access(r, i) {
		const has = new Set([].concat(r.access === undefined ? [] : r.access));
		const slot = h('p', { class: 'field-error', id: `err-r${i}-access`, 'aria-live': 'polite' });
		const box = (a) => h('label', { for: `r${i}-access-${a}` }, h('input', { type: 'checkbox',
			id: `r${i}-access-${a}`, checked: has.has(a), 'aria-describedby': slot.id, onchange: (e) => {
				const now = new Set([].concat(r.access === undefined ? [] : r.access));
				if (e.target.checked)
					now.add(a);
				else
					now.delete(a);
				r.access = ['read', 'write'].filter((x) => now.has(x));
			} }), ` ${a}`);
		const group = h('fieldset', { class: 'access', 'data-field': `rules[${i}].access` },
			h('legend', null, 'Access'), box('read'), box('write'), slot);
		slot.control = group.querySelector('input');
		slots[`rules[${i}].access`] = slot;
		return group;
	}

	function args(r, i) {
		const list = Array.isArray(r.args) ? r.args : [];
		const rows = list.map((a, j) => {
			const id = (k) => `r${i}-args-${j}-${k}`;
			const p = `args[${j}]`;
			const slot = h('p', { class: 'field-error', id: `err-r${i}-args-${j}`, 'aria-live': 'polite' });
			slots[`rules[${i}].${p}`] = slot;
			if (!a || typeof a !== 'object')
				return h('p', { class: 'hint' }, `Condition ${j}: ${toJSON(a)} (not an object: edit it as JSON).`);
			const known = a;
			const index = h('input', { id: id('index'), type: 'number', min: 0, max: 5, value: shown(known.index),
				oninput: (e) => { known.index = intOrText(e.target.value); } });
			const op = select({ id: id('op'), onchange: (e) => { known.op = e.target.value; } },
				OPS.includes(known.op) ? OPS : [...OPS, shown(known.op)], shown(known.op));
			const value = h('input', { id: id('value'), type: 'text', value: shown(known.value), autocomplete: 'off',
				spellcheck: 'false', oninput: (e) => { known.value = intOrText(e.target.value); } });
			slot.control = index;
			return h('div', { class: 'arg-row', role: 'group', 'aria-label': `Condition ${j} of rule ${i}` },
				field(i, `${p}.index`, `Argument (0–5)`, index),
				field(i, `${p}.op`, 'Comparison', op),
				field(i, `${p}.value`, 'Value', value),
				h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove condition ${j} of rule ${i}`,
					onclick: () => {
						list.splice(j, 1);
						render();
						document.getElementById(list.length ? `r${i}-args-${Math.min(j, list.length - 1)}-index` :
							`r${i}-add-arg`).focus();
					} }, 'Remove'),
				slot);
		});
		const add = h('button', { type: 'button', class: 'secondary', id: `r${i}-add-arg`, onclick: () => {
			if (!Array.isArray(r.args))
				r.args = [];
			r.args.push({ index: 0, op: 'eq', value: 0 });
			render();
			document.getElementById(`r${i}-args-${r.args.length - 1}-index`).focus();
		} }, 'Add condition');
		const slot = h('p', { class: 'field-error', id: `err-r${i}-args`, 'aria-live': 'polite' });
		slot.control = add;
		slots[`rules[${i}].args`] = slot;
		return h('fieldset', { class: 'args', 'data-field': `rules[${i}].args` },
			h('legend', null, 'Argument conditions (all must hold)'), rows,
			rows.length ? null : h('p', { class: 'hint' }, 'None: the rule matches every call.'), add, slot);
	}

	// The fields of rule i's type.
	function own(r, i) {
		const t = r.type;
		return (OWN[t] || []).map((k) => {
			switch (k) {
			case 'path':
				return field(i, k, t === 'execute' ? 'Executable path' : 'Path',
					input(r, i, k, t === 'execute' ? '/usr/bin/wget' : '/etc/shadow'), 'wide');
			case 'access':
				return access(r, i);
			case 'direction':
				return field(i, k, 'Direction', choice(r, i, k, ['outbound', 'inbound']));
			case 'address':
				return field(i, k, t === 'listener' ? 'Local address' : 'Peer address',
					input(r, i, k, '* or 10.0.0.0/8'));
			case 'port':
				return field(i, k, 'Port', input(r, i, k, '* or 443 or 1024-65535', intOrText));
			case 'protocol':
				return field(i, k, 'Protocol', choice(r, i, k, PROTOCOLS[t], '(not set: any)'));
			case 'syscall':
				return field(i, k, 'System call', input(r, i, k, 'ptrace'));
			case 'args':
				return args(r, i);
			}
			return null;
		});
	}

	function card(r, i) {
		const t = TYPES.includes(r.type) ? r.type : shown(r.type);
		const type = select({ id: `r${i}-type`, onchange: (e) => {
			retype(r, e.target.value);
			render();
			document.getElementById(`r${i}-type`).focus();
		} }, TYPES.includes(t) ? TYPES : [...TYPES, t], t);
		const enabled = h('input', { type: 'checkbox', id: `r${i}-enabled`, checked: r.enabled !== false,
			onchange: (e) => {
				r.enabled = e.target.checked;
				e.target.closest('.rule-card').classList.toggle('off', !e.target.checked);
			} });
		const whole = h('p', { class: 'field-error', id: `err-r${i}`, 'aria-live': 'polite' });
		whole.control = type;
		slots[`rules[${i}]`] = whole;
		const extra = Object.keys(r).filter((k) => !KNOWN.has(k));
		const title = `Rule ${i}${r.name ? ` (${r.name})` : ''}`;
		return h('div', { class: `rule-card${r.enabled === false ? ' off' : ''}`, role: 'group',
			'aria-labelledby': `r${i}-title`, 'data-rule': String(i), 'data-type': t },
		h('div', { class: 'rule-head' }, h('h3', { id: `r${i}-title` }, `Rule ${i}: ${t}`),
			h('button', { type: 'button', class: 'secondary', id: `r${i}-remove`,
				'aria-label': `Remove ${title.toLowerCase()}`, onclick: () => {
					rules.splice(i, 1);
					render();
					status.textContent = `${title} removed.`;
					document.getElementById(rules.length ? `r${Math.min(i, rules.length - 1)}-type` :
						'add-rule-type').focus();
				} }, 'Remove')),
		whole,
		h('div', { class: 'rule-fields' },
			field(i, 'type', 'Type', type),
			field(i, 'name', 'Name', input(r, i, 'name', 'optional')),
			field(i, 'program', 'Program', input(r, i, 'program', '* (any)')),
			field(i, 'action', 'Action', choice(r, i, 'action', ['deny', 'allow'])),
			h('div', { class: 'field check', 'data-field': `rules[${i}].enabled` },
				h('label', { for: enabled.id }, enabled, ' Enabled'))),
		h('div', { class: 'rule-fields' }, own(r, i)),
		extra.length ? h('p', { class: 'hint', id: `r${i}-extra` },
			`Also in this rule, kept as they are (see the JSON view): ${extra.join(', ')}.`) : null);
	}

	function render() {
		slots = {};
		cards.replaceChildren(...(rules.length ? rules.map(card) :
			[h('p', { class: 'muted', id: 'no-rules' }, 'No rules: every access gets the default action of its type.')]));
	}

	const startJson = !Array.isArray(rules) || rules.some((r) => !r || typeof r !== 'object' || Array.isArray(r));
	if (startJson)
		text.value = toJSON(rules, 2);
	else
		render();
	jsonView.hidden = !startJson;
	formView.hidden = startJson;
	views.querySelector(`#view-${startJson ? 'json' : 'form'}`).checked = true;

	return {
		el: h('section', { class: 'rules-editor', 'aria-labelledby': 'rules-heading' },
			h('h2', { id: 'rules-heading' }, 'Rules'), views, jsonView, err, status, formView),
		rules: () => (isJson() ? parseText() : structuredClone(rules)),
		errorAt: (f) => {
			if (isJson() || !f)
				return { slot: err, control: text };
			// rules[3].args[0].value, then rules[3].args[0], rules[3].args, rules[3]
			for (let k = f, up; ; k = up) {
				if (slots[k])
					return { slot: slots[k], control: slots[k].control };
				up = k.replace(/(\.[^.[\]]*|\[[0-9]+\])$/, '');
				if (up === k)
					break;
			}
			return { slot: err, control: addType };
		},
	};
}
