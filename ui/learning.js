// Learning (docs/console.md "Learning"; the API: docs/crsd.md "Learning"):
// which containers learn and which images have a profile, one profile's
// observations (paged by next_cursor), and the policy template made from
// it: a dry run shown as a diff against the policy it would merge into,
// then "Create policy" or "Merge into".
import { api, enc, ApiError } from './api.js';
import { h, select, table, empty } from './dom.js';
import { ruleDetail, TYPES } from './policies.js';

const PAGE = 1000;

// The object of an observation, as crs-tool learned prints it.
function object(o) {
	switch (o.type) {
	case 'file':
	case 'execute':
		return o.path;
	case 'network':
		return `${o.direction} ${o.protocol} ${o.address} port ${o.port}${o.auto_port ? ' (kernel-chosen)' : ''}`;
	case 'listener':
		return `${o.protocol} ${o.address} port ${o.port}${o.auto_port ? ' (kernel-chosen)' : ''}`;
	case 'syscall':
		return `${o.syscall}${o.arch && o.arch !== 'x86_64' ? ` (${o.arch})` : ''}`;
	}
	return '';
}

// "on (override)", "off (policy)": the container's learning switch and where it comes from.
function learningText(c) {
	const on = c.learning && c.learning.effective;
	const ov = c.overrides && c.overrides.learning !== null && c.overrides.learning !== undefined;
	return `${on ? 'on' : 'off'} (${ov ? 'override' : 'policy'})`;
}

function dropped(d) {
	return d ? (d.full || 0) + (d.long || 0) : 0;
}

export async function learningPage() {
	const [{ containers }, { images }] = await Promise.all([
		api('GET', '/api/v1/containers'), api('GET', '/api/v1/images')]);
	const imgs = [...new Set([...images.map((i) => i.image), ...containers.map((c) => c.image)])].sort();
	const crows = containers.map((c) => {
		const l = c.learning || {};
		return { attrs: { 'data-container': c.id }, cells: [
			h('a', { href: `#/learning/container/${enc(c.id)}` }, c.id), c.image,
			h('span', { 'data-learning': '' }, learningText(c)), l.state || '—',
			l.records === null || l.records === undefined ? '—' : `${l.records} of ${l.max}`,
			l.dropped ? h('span', { class: 'incomplete' }, String(l.dropped)) : '0'] };
	});
	const irows = imgs.map((i) => ({ attrs: { 'data-image': i }, cells: [
		h('a', { href: `#/learning/image/${enc(i)}` }, i),
		String(containers.filter((c) => c.image === i && c.learning && c.learning.effective).length)] }));
	return h('section', null, h('h1', null, 'Learning'),
		h('p', { class: 'hint' }, 'Switch learning on for a container on the Containers page (or set ' +
			'"learning": true in its policy), run the application through its paces, then open its ' +
			'profile and make a policy from what it did.'),
		h('h2', null, 'Containers'),
		crows.length ? table('Containers and their learning', ['Container', 'Image', 'Learning',
			'Kernel set', 'Records', 'Dropped'], crows, { id: 'learning-containers' }) :
			empty('No containers yet.', h('p', null, 'crsd-hook registers them as they start.')),
		h('h2', null, 'Images'),
		irows.length ? table('Image profiles', ['Image (profile of all its containers)',
			'Containers learning'], irows, { id: 'learning-images' }) : empty('No images yet.'));
}

function obsRows(obs) {
	return obs.map((o) => ({ attrs: { 'data-key': o.key }, cells: [o.type,
		o.program === null || o.program === undefined ? '(inbound)' : o.program, object(o),
		Array.isArray(o.access) ? o.access.join(', ') : o.access || '—', o.outcome,
		o.last_seen || '—'] }));
}

// scope: 'container' or 'image'; key: its id or reference
export async function profilePage(scope, key) {
	const base = scope === 'container' ? `/api/v1/containers/${enc(key)}` : `/api/v1/images/${enc(key)}`;
	let prof;
	const [{ policies }, ctr] = await Promise.all([api('GET', '/api/v1/policies'),
		scope === 'container' ? api('GET', base) : null,
		api('GET', `${base}/profile?limit=${PAGE}`).then((p) => { prof = p; }, (x) => {
			if (!(x instanceof ApiError && x.status === 404 && scope === 'image'))
				throw x;
		})]);
	const title = h('h1', null, `Profile of ${scope} ${key}`);
	if (!prof)
		return h('section', null, title, empty('This image has no profile yet.', h('p', null,
			'A profile appears once a container of the image has learned something.')));

	const obs = prof.observations || [];
	const drops = dropped(prof.dropped);
	const incomplete = prof.complete === false;
	const out = h('div', { id: 'template-result', 'aria-live': 'polite' });
	const err = h('p', { class: 'error', role: 'alert', id: 'template-error' });
	const own = ctr && ctr.policy && policies.some((p) => p.id === ctr.policy) ? ctr.policy : '';
	const target = select({ id: 'tmpl-target' },
		[['', 'a new policy'], ...policies.map((p) => [p.id, `merge into ${p.name}`])], own);
	const name = h('input', { id: 'tmpl-name', type: 'text', placeholder: `learned-${key}`,
		autocomplete: 'off' });
	const mode = select({ id: 'tmpl-mode' },
		[['', 'as is (new: monitor; merge: unchanged)'], 'monitor', 'enforce'], '');
	const force = h('input', { type: 'checkbox', id: 'tmpl-force' });
	const denied = h('input', { type: 'checkbox', id: 'tmpl-denied' });
	const apply = h('button', { type: 'button', id: 'tmpl-apply' });
	const pname = () => (policies.find((p) => p.id === target.value) || {}).name;
	const sync = () => {
		apply.textContent = target.value ? `Merge into ${pname()}` : 'Create policy';
		name.disabled = !!target.value;
	};
	target.addEventListener('change', () => {
		sync();
		out.replaceChildren();
		err.textContent = '';
	});
	sync();

	const opts = (dry) => {
		const o = { dry_run: dry };
		if (target.value)
			o.merge_policy_id = target.value;
		else if (name.value.trim())
			o.name = name.value.trim();
		if (mode.value)
			o.mode = mode.value;
		if (denied.checked)
			o.include_denied = true;
		if (force.checked)
			o.force = true;
		return o;
	};
	const run = async (dry) => {
		err.textContent = '';
		const mergeId = target.value;
		try {
			const [r, cur] = await Promise.all([api('POST', `${base}/policy-template`, opts(dry)),
				dry && mergeId ? api('GET', `/api/v1/policies/${enc(mergeId)}`) : null]);
			out.replaceChildren(report(r, dry, cur ? cur.policy : null, pname()));
			if (!dry) {
				const p = r.policy;
				out.prepend(h('p', { class: 'status', role: 'status', id: 'template-status' },
					r.created ? 'Policy created: ' : 'Merged into ',
					h('a', { href: `#/policies/${enc(p.id)}` }, p.name),
					` (revision ${p.revision}${p.incomplete ? ', marked incomplete' : ''}).`));
			}
		} catch (x) {
			out.replaceChildren();
			err.textContent = x.message;
		}
	};
	apply.addEventListener('click', () => run(false));

	const tbody = h('tbody');
	const obsTable = h('table', { id: 'observations' },
		h('caption', { class: 'visually-hidden' }, 'Observations'),
		h('thead', null, h('tr', null, ['Type', 'Program', 'Object', 'Access', 'Outcome', 'Last seen']
			.map((t) => h('th', { scope: 'col' }, t)))));
	obsTable.append(tbody);
	const shown = h('p', { id: 'profile-shown' });
	let next = prof.next_cursor;
	let count = 0;
	const more = h('button', { type: 'button', class: 'secondary', id: 'profile-more', onclick: async () => {
		try {
			const p = await api('GET', `${base}/profile?limit=${PAGE}&cursor=${enc(next)}`);
			addRows(p.observations || [], p.next_cursor);
		} catch (x) {
			shown.textContent = x.message;
		}
	} }, 'Show more');
	const addRows = (list, cursor) => {
		for (const r of obsRows(list))
			tbody.append(h('tr', r.attrs, r.cells.map((c) => h('td', null, c))));
		count += list.length;
		next = cursor;
		shown.textContent = `Showing ${count} of ${prof.observations_total} observations.`;
		more.hidden = !next;
	};
	addRows(obs, prof.next_cursor);

	const l = prof.learning;
	return h('section', null, title,
		h('dl', { class: 'facts' },
			h('dt', null, 'Observations'), h('dd', { id: 'profile-count' }, String(prof.observations_total)),
			h('dt', null, 'Dropped'), h('dd', { id: 'profile-dropped' },
				`${drops} (table full ${prof.dropped.full}, too long ${prof.dropped.long})`),
			scope === 'container' ? [h('dt', null, 'Image'), h('dd', null, prof.image),
				h('dt', null, 'Learning'), h('dd', { id: 'profile-learning' },
					`${learningText(ctr)}${l && l.state ? `, kernel set ${l.state}` : ''}`)] : null,
			h('dt', null, 'Updated'), h('dd', null, prof.updated || 'never'),
			h('dt', null, 'Last synced from the kernel'), h('dd', null, prof.synced || 'never')),
		incomplete ? h('p', { class: 'incomplete-warning', role: 'alert', id: 'profile-incomplete' },
			`This profile is incomplete: ${drops} observations were dropped. A policy made from it ` +
			'may miss what they were, and enforcing it needs "force".') : null,
		h('h2', null, 'Policy template'),
		h('form', { class: 'template-form', onsubmit: (e) => { e.preventDefault(); run(true); } },
			h('div', { class: 'field' }, h('label', { for: 'tmpl-target' }, 'Into'), target),
			h('div', { class: 'field' }, h('label', { for: 'tmpl-name' }, 'Name of a new policy'), name),
			h('div', { class: 'field' }, h('label', { for: 'tmpl-mode' }, 'Mode'), mode),
			h('div', { class: 'checks' },
				h('label', { for: 'tmpl-denied' }, denied, ' add observations that were only ever denied'),
				h('label', { for: 'tmpl-force' }, force, ' force (enforce a policy from an incomplete profile)')),
			h('div', { class: 'actions' },
				h('button', { type: 'submit', id: 'tmpl-preview', class: 'secondary' }, 'Preview'),
				apply)),
		err, out,
		h('h2', null, 'Observations'),
		obs.length ? [shown, obsTable, more] :
			empty('Nothing observed yet.', h('p', null, 'crsd reads the kernel\'s learned set every few seconds.')));
}

// The report: the policy-level changes and the rules as a diff against the
// merge policy (kept rules plain, added rules marked +), then what was not
// added and why.
function report(r, dry, before, mergeName) {
	const doc = dry ? r.policy : r.policy.policy;
	const rules = doc.rules || [];
	const added = new Map((r.added || []).map((a) => [a.index, a]));
	const rows = rules.map((rule, i) => {
		const a = added.get(i);
		return { attrs: { class: a ? 'diff-add' : 'diff-keep', 'data-added': a ? '1' : '0' }, cells: [
			a ? '+' : '', rule.name || '', rule.type, rule.program || 'any',
			h('span', { class: `action action-${rule.action}` }, rule.action),
			ruleDetail(rule), a ? `${a.generalisation || 'exact'} (${a.observations})` : 'kept'] };
	});
	const changes = [];
	if (before) {
		if (before.mode !== doc.mode)
			changes.push(`mode: ${before.mode} → ${doc.mode}`);
		for (const t of TYPES) {
			const b = (before.default_actions || {})[t];
			const n = (doc.default_actions || {})[t];
			if (b !== n)
				changes.push(`${t} default: ${b} → ${n}`);
		}
	} else {
		changes.push(`new policy ${doc.name}, mode ${doc.mode}`);
		changes.push(`defaults: ${TYPES.map((t) => `${t} ${(doc.default_actions || {})[t]}`).join(', ')}`);
	}
	const n = (r.added || []).length;
	return h('div', null,
		r.incomplete ? h('p', { class: 'incomplete-warning', role: 'alert', id: 'template-incomplete' },
			`Incomplete: the profile dropped ${r.dropped} observations; this policy may miss them.`) : null,
		h('p', { id: 'template-summary' },
			`${dry ? 'Preview: ' : ''}${n} ${n === 1 ? 'rule' : 'rules'} added` +
			(mergeName ? ` to ${mergeName}` : ' in a new policy') +
			`; ${r.covered} covered by existing rules, ${r.default_allowed} allowed by a default, ` +
			`${r.conflicts.length} in conflict with deny rules.`),
		h('ul', { id: 'template-changes' }, (changes.length ? changes : ['mode and defaults unchanged'])
			.map((c) => h('li', null, c))),
		table('Template rules', ['', 'Name', 'Type', 'Program', 'Action', 'Rule', 'Source'], rows,
			{ id: 'template-rules', class: 'diff' }),
		r.conflicts.length ? [h('h3', null, 'Conflicts (not added)'),
			h('ul', { id: 'template-conflicts' }, r.conflicts.map((c) => h('li', null,
				`${c.observation.type} ${object(c.observation)} by ${c.observation.program}: ` +
				`denied by rule ${c.rule_index}${c.rule_name ? ` "${c.rule_name}"` : ''}`)))] : null,
		(r.denied_only || []).length ? [h('h3', null, 'Only ever denied (not added)'),
			h('ul', null, r.denied_only.map((o) => h('li', null, `${o.type} ${object(o)} by ${o.program}`)))] : null,
		(r.unrepresentable || []).length ? [h('h3', null, 'Not representable as a rule'),
			h('ul', null, r.unrepresentable.map((o) => h('li', null,
				`${o.observation.type} ${object(o.observation)} by ${o.observation.program}: ${o.reason}`)))] : null);
}
