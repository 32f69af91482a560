// DOM helpers: elements are built with textContent, never from HTML strings.

// h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child...)
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith('on'))
			el.addEventListener(k.slice(2), v);
		else if (k === 'class')
			el.className = v;
		else if (k === 'value')
			el.value = v;
		else
			el.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children.flat()) {
		if (c === undefined || c === null || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

export function clear(el) {
	el.replaceChildren();
	return el;
}

// A <select> of options ([value, label] or value), one selected.
export function select(attrs, options, selected) {
	return h('select', attrs, options.map((o) => {
		const [v, l] = Array.isArray(o) ? o : [o, o];
		return h('option', { value: v, selected: v === selected }, l);
	}));
}

// A table with a header row; rows are arrays of cells (strings or nodes).
export function table(caption, heads, rows, attrs) {
	return h('table', attrs,
		caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
		h('thead', null, h('tr', null, heads.map((t) => h('th', { scope: 'col' }, t)))),
		h('tbody', null, rows.map((r) => h('tr', r.attrs || null,
			(r.cells || r).map((c) => h('td', null, c))))));
}

// "Nothing here yet" with what to do about it.
export function empty(text, ...more) {
	return h('div', { class: 'empty', role: 'status' }, h('p', null, text), ...more);
}
