// Images: every image assigned a policy or run by a known container; apply,
// change or remove its policy (a select and a button).
import { api, enc } from './api.js';
import { h, select, table, empty } from './dom.js';

export async function imagesPage() {
	const [{ policies }, { images }, { containers }] = await Promise.all([
		api('GET', '/api/v1/policies'), api('GET', '/api/v1/images'),
		api('GET', '/api/v1/containers')]);
	const byImage = new Map(images.map((i) => [i.image, i]));
	for (const c of containers)
		if (!byImage.has(c.image))
			byImage.set(c.image, { image: c.image, policy: null });
	const names = [...byImage.keys()].sort();
	const opts = [['', '(no policy)'], ...policies.map((p) => [p.id, p.name])];
	const status = h('p', { class: 'status', role: 'status', id: 'images-status' });

	const apply = async (image, policy, errEl) => {
		errEl.textContent = '';
		try {
			if (policy)
				await api('PUT', `/api/v1/images/${enc(image)}/policy`, { policy });
			else
				await api('DELETE', `/api/v1/images/${enc(image)}/policy`);
			const el = await imagesPage();
			document.getElementById('main').replaceChildren(el);
			document.getElementById('images-status').textContent =
				policy ? `Applied to ${image}.` : `Policy removed from ${image}.`;
		} catch (x) {
			errEl.textContent = x.message;
		}
	};
	const rows = names.map((n, i) => {
		const cur = byImage.get(n);
		const sel = select({ id: `img-${i}`, 'aria-label': `Policy for ${n}` }, opts, cur.policy || '');
		const err = h('span', { class: 'field-error' });
		const running = containers.filter((c) => c.image === n).length;
		return { attrs: { 'data-image': n }, cells: [n,
			cur.policy ? h('a', { href: `#/policies/${enc(cur.policy)}` }, cur.policy_name) : '—',
			String(running),
			h('span', { class: 'inline' }, sel,
				h('button', { type: 'button', onclick: () => apply(n, sel.value, err) }, 'Apply'), err)] };
	});
	const newImage = h('input', { id: 'new-image', placeholder: 'nginx:1.25', required: true,
		'aria-describedby': 'new-image-error' });
	const newSel = select({ id: 'new-policy', 'aria-label': 'Policy' }, opts.slice(1));
	const newErr = h('p', { class: 'field-error', id: 'new-image-error', 'aria-live': 'polite' });
	const form = h('form', { class: 'inline-form', onsubmit: (e) => {
		e.preventDefault();
		apply(newImage.value.trim(), newSel.value, newErr);
	} },
	h('h2', null, 'Apply a policy to an image'),
	policies.length ? [h('label', { for: 'new-image' }, 'Image'), newImage,
		h('label', { for: 'new-policy' }, 'Policy'), newSel,
		h('button', { type: 'submit' }, 'Apply'), newErr] :
		h('p', null, 'There are no policies yet: ', h('a', { href: '#/policies/new' }, 'create one'), '.'));
	return h('section', null, h('h1', null, 'Images'), status,
		names.length ? table('Images', ['Image', 'Policy', 'Containers', 'Apply or change'], rows,
			{ id: 'images' }) :
			empty('No images yet: none has a policy and no known container runs one.'),
		form);
}
