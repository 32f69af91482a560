// The web console against a real crsd with crs.ko (make ui-kernel-test; run
// by kernel.sh, which boots the "make run" guest and sets CRSD_URL,
// CRSD_TOKEN, LAUNCHER, CHROMIUM, TAP_START and COUNTS_FILE). What the
// host test (console.test.mjs) can only seed into crsd's store happens
// here for real: a container started by crun in the guest, registered by
// crsd-hook, its violations raised by crs.ko, its mode changed in crs.ko,
// its behaviour learned by crs.ko. The kernel's own view comes from the
// launcher's /cgi-bin/show (crs-tool show --json in the guest).
import { ok, done, apiClient, openBrowser, text, same, focused } from './lib.mjs';

const URL = process.env.CRSD_URL;
const LAUNCHER = process.env.LAUNCHER;
const api = apiClient(URL, process.env.CRSD_TOKEN);
const IMAGE = 'docker.io/demo/busybox:1.0';
const CID = 'ui-1';
const ROW = `tr[data-container=${CID}]`;

// The launcher in the guest (ui/tests/kernel-guest.sh): start, exec, show.
const launcher = async (path) => (await fetch(LAUNCHER + path)).text();
const inside = (action) => launcher(`/cgi-bin/exec?${CID}&${action}`);
// crs.ko's table on the cgroup of the container (crs-tool show --json).
async function kernelTable(cgid) {
	const all = JSON.parse(await launcher('/cgi-bin/show'));
	return all.find((t) => t.cgroup_id === cgid) || null;
}
// fn() until it gives something true (its value) or ms pass (null).
async function until(fn, ms) {
	for (const end = Date.now() + (ms || 20000); Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
		const v = await fn();
		if (v)
			return v;
	}
	return null;
}
// The cells of an events table row, as text.
const cells = (tr) => tr.$$eval('td', (tds) => tds.map((td) => td.textContent));
// The page's Containers, Events or Learning page, through its navigation link.
async function open(page, name, ready) {
	await page.click(`nav a[href="#/${name}"]`);
	await page.waitForSelector(ready);
}

const { browser, page, errors } = await openBrowser(null);
try {
	const st = await api('GET', '/api/v1/status');
	ok('crsd in the guest answers on the host, crs.ko loaded', st.status === 200 &&
		st.body.kernel.available === true && st.body.kernel.events.subscribed === true, st.body);

	// ---- log in with the token
	await page.goto(URL + '/');
	await page.fill('#token', process.env.CRSD_TOKEN);
	await page.click('button[type=submit]');
	ok('logged in with the token', await text(page, '.empty p') === 'No policies yet.',
		await text(page, 'main'));

	// ---- a policy: no reading /etc/secret, and only busybox may run
	// (execute default deny), first with a relative path
	await page.click('a[href="#/policies/new"]');
	await page.waitForSelector('#f-name');
	await page.fill('#f-name', 'ui-kernel');
	await page.selectOption('#f-da-execute', 'deny');
	await page.click('#add-rule');
	await page.fill('#r0-name', 'no secret');
	await page.fill('#r0-path', 'etc/secret');
	await page.check('#r0-access-write');
	await page.selectOption('#add-rule-type', 'execute');
	await page.click('#add-rule');
	await page.fill('#r1-name', 'busybox');
	await page.fill('#r1-path', '/bin/busybox');
	await page.selectOption('#r1-action', 'allow');
	await page.click('button[type=submit]');
	await page.waitForFunction(() => document.getElementById('err-r0-path')?.textContent !== '');
	const rules = [
		{ name: 'no secret', type: 'file', action: 'deny', program: '*', enabled: true, path: 'etc/secret',
			access: ['read', 'write'] },
		{ name: 'busybox', type: 'execute', action: 'allow', program: '*', enabled: true, path: '/bin/busybox' }];
	const doc = { name: 'ui-kernel', mode: 'enforce', rules,
		default_actions: { file: 'allow', execute: 'deny', listener: 'allow', network: 'allow', syscall: 'allow' } };
	const refused = await api('POST', '/api/v1/policies', doc);
	ok("a relative path: the API's message beside rule 0's path, focused", refused.status === 400 &&
		refused.body.field === 'rules[0].path' && await text(page, '#err-r0-path') === refused.body.error &&
		await focused(page) === 'r0-path', [refused.body, await text(page, '#err-r0-path')]);
	await page.fill('#r0-path', '/etc/secret');
	await page.click('button[type=submit]');
	await page.waitForSelector('h1:text("Policy ui-kernel")');
	rules[0].path = '/etc/secret';
	const canon = await api('POST', '/api/v1/policies', Object.assign({}, doc, { name: 'ui-kernel-canon' }));
	await api('DELETE', `/api/v1/policies/${canon.body.id}`);
	const pid = (await api('GET', '/api/v1/policies')).body.policies.find((p) => p.name === 'ui-kernel').id;
	const pol = (await api('GET', `/api/v1/policies/${pid}`)).body;
	ok('fixed and created: the document the form made, as the API stores it',
		same(Object.assign({}, pol.policy, { name: '' }), Object.assign({}, canon.body.policy, { name: '' })),
		pol.policy);

	// ---- apply it to the image on the Images page
	await open(page, 'images', '#new-image');
	await page.fill('#new-image', 'demo/busybox:1.0');
	await page.selectOption('#new-policy', pid);
	await page.click('form.inline-form button[type=submit]');
	await page.waitForSelector('#images-status:text("Applied to demo/busybox:1.0.")');
	const img = await api('GET', '/api/v1/images/demo/busybox:1.0/policy');
	ok('applied to the image: the API has it, the row shows it', img.body.policy === pid &&
		await text(page, `tr[data-image="${IMAGE}"] td:nth-child(2)`) === 'ui-kernel', img.body);

	// ---- a container of the image, started by crun in the guest
	const started = await launcher(`/cgi-bin/start?${CID}`);
	ok(`the launcher starts ${CID} (crun run --detach; crsd-hook registers it)`, /\(exit 0\)\s*$/.test(started),
		started);
	await open(page, 'containers', 'main h1');
	const row = await page.waitForSelector(ROW, { timeout: 5000 }).catch(() => null);
	ok(`${CID} on the Containers page with its image, policy, mode enforce, applied`, row !== null &&
		await text(page, `${ROW} td:nth-child(2)`) === IMAGE && await text(page, `${ROW} td:nth-child(4)`) ===
		'ui-kernel' && await text(page, `${ROW} [data-effective]`) === 'enforce' &&
		await text(page, `${ROW} [data-kernel-state]`) === 'applied' &&
		await text(page, `${ROW} [data-kernel-mode]`) === 'enforce', row && await row.textContent());
	const c = (await api('GET', `/api/v1/containers/${CID}`)).body;
	let k = await kernelTable(c.cgroup_id);
	ok(`crs.ko holds the table on ${CID}'s cgroup: the policy's mode and rules, no override`, k !== null &&
		k.name === 'ui-kernel' && k.mode === 'enforce' && k.container_mode === 'policy' && k.nrules === 2 &&
		k.defaults.execute === 'deny', k);

	// ---- a violation while the Events page is open: the row arrives over SSE
	await open(page, 'events', '#live:text("Live:")');
	ok('the Events page: nothing yet, the live stream open', await page.$('#events-body tr') === null);
	await page.evaluate(() => { window.crsSamePage = true; });
	const denied = await inside('secret');
	ok(`in ${CID}, cat /etc/secret is denied`, /Permission denied/.test(denied) && !/launch codes/.test(denied),
		denied);
	let tr = await page.waitForSelector('#events-body tr', { timeout: 15000 }).catch(() => null);
	ok('the denial arrives live: file, deny, the container, image, policy, rule, program, path',
		tr !== null && JSON.stringify((await cells(tr)).slice(1)) === JSON.stringify(['file', 'deny', CID, IMAGE,
			pid, 'no secret', '/bin/busybox', '/etc/secret (read)']) &&
		await page.evaluate(() => window.crsSamePage === true), tr && await cells(tr));
	const ev1 = (await api('GET', `/api/v1/events?container=${CID}`)).body.events;
	ok('the API has it: enforced by crs.ko', ev1.length === 1 && ev1[0].action === 'deny' &&
		ev1[0].verdict === 'deny' && ev1[0].mode === 'enforce' && ev1[0].cgroup_id === c.cgroup_id, ev1);

	// ---- monitor, set on the Containers page: crs.ko's container mode
	await open(page, 'containers', `#ov-mode-${CID}`);
	await page.selectOption(`#ov-mode-${CID}`, 'monitor');
	await page.waitForSelector(`#containers-status:text("${CID}: effective mode monitor, learning off.")`);
	const c2 = (await api('GET', `/api/v1/containers/${CID}`)).body;
	ok('toggled to monitor: the row and the API say so, applied', await text(page, `${ROW} [data-effective]`) ===
		'monitor' && c2.overrides.mode === 'monitor' && c2.effective_mode === 'monitor' &&
		c2.kernel.state === 'applied' && await focused(page) === `ov-mode-${CID}`, c2);
	k = await until(async () => { const t = await kernelTable(c.cgroup_id); return t && t.container_mode === 'monitor' && t; });
	ok("crs.ko's state: the container's mode override is monitor (crs-tool show in the guest)", k !== null &&
		k.mode === 'enforce', k || await kernelTable(c.cgroup_id));
	// the console shows what crsd read back from crs.ko, not what it sent
	const shown = await until(async () => {
		await open(page, 'containers', `#ov-mode-${CID}`);
		return await text(page, `${ROW} [data-kernel-mode]`) === 'monitor';
	});
	const c3 = (await api('GET', `/api/v1/containers/${CID}`)).body;
	ok("the Containers page shows crs.ko's own mode for it: monitor (crsd read it back)", shown === true &&
		c3.kernel.mode === 'monitor' && typeof c3.kernel.read === 'string', c3.kernel);
	await open(page, 'events', '#live:text("Live:")');
	const read = await inside('secret');
	ok('in monitor, cat /etc/secret reads the file', /the launch codes/.test(read), read);
	tr = await until(async () => { const r = await page.$$('#events-body tr'); return r.length === 2 && r[0]; }, 15000);
	ok('the next violation arrives live as allowed, what monitor lets through', tr !== null &&
		JSON.stringify((await cells(tr)).slice(1)) === JSON.stringify(['file', 'allow (monitor: would deny)',
			CID, IMAGE, pid, 'no secret', '/bin/busybox', '/etc/secret (read)']), tr && await cells(tr));
	const ev2 = (await api('GET', `/api/v1/events?container=${CID}`)).body.events;
	ok('the API has it: allowed by crs.ko in monitor mode, verdict deny', ev2.length === 2 &&
		ev2[1].action === 'allow' && ev2[1].verdict === 'deny' && ev2[1].mode === 'monitor', ev2);
	k = await kernelTable(c.cgroup_id);
	ok("crs.ko's counters: one monitored decision", k && k.decisions.monitored === 1, k && k.decisions);

	// ---- learning: switched on in place, wget run (monitor lets it), the
	// profile on the Learning page, the template merged into ui-kernel
	await open(page, 'containers', `#ov-learn-${CID}`);
	await page.selectOption(`#ov-learn-${CID}`, 'on');
	await page.waitForSelector(`#containers-status:text("${CID}: effective mode monitor, learning on.")`);
	k = await until(async () => { const t = await kernelTable(c.cgroup_id); return t && t.learn === 'on' && t; });
	ok(`learning on for ${CID}: crs.ko's learning switch is on`, k !== null, await kernelTable(c.cgroup_id));
	const wget = await inside('wget');
	ok('in monitor, wget runs (its connection to port 9 is refused)', !/Permission denied/.test(wget) &&
		/\(exit 1\)/.test(wget), wget);
	await inside('motd');
	const seen = (o) => o.type === 'execute' && o.path === '/usr/local/bin/wget';
	const prof = await until(async () => {
		const p = (await api('GET', `/api/v1/containers/${CID}/profile`)).body;
		return p && (p.observations || []).some(seen) && p;
	});
	ok("crsd has the wget exec in the container's profile", prof !== null &&
		prof.observations.find(seen).outcome === 'allowed', prof);
	await open(page, 'learning', `#learning-containers ${ROW}`);
	ok(`the Learning page: ${CID} learning, by its override`, await text(page, `${ROW} [data-learning]`) ===
		'on (override)', await text(page, ROW));
	await page.click(`${ROW} a`);
	await page.waitForSelector(`h1:text("Profile of container ${CID}")`);
	const obs = await page.$$eval('#observations tbody tr', (rs) => rs.map((r) =>
		[...r.cells].slice(0, 5).map((x) => x.textContent)));
	ok("the profile page: the wget exec among the container's observations", obs.some((o) =>
		o[0] === 'execute' && o[2] === '/usr/local/bin/wget' && o[4] === 'allowed') &&
		await page.inputValue('#tmpl-target') === pid && await text(page, '#tmpl-apply') === 'Merge into ui-kernel',
	obs);
	const before = (await api('GET', `/api/v1/policies/${pid}`)).body;
	const dry = (await api('POST', `/api/v1/containers/${CID}/policy-template`,
		{ merge_policy_id: pid, dry_run: true })).body;
	await page.click('#tmpl-preview');
	await page.waitForSelector('#template-summary');
	const added = await page.$$eval('#template-rules tbody tr[data-added="1"]', (rs) => rs.map((r) =>
		[r.cells[2].textContent, r.cells[4].textContent, r.cells[5].textContent]));
	ok('the preview: the wget exec added as an allow rule, as the API\'s dry run has it',
		added.length === dry.added.length && added.some((a) => a[0] === 'execute' && a[1] === 'allow' &&
			/\/usr\/local\/bin\/wget/.test(a[2])) &&
		await text(page, '#template-summary') === `Preview: ${dry.added.length} ${dry.added.length === 1 ?
			'rule' : 'rules'} added to ui-kernel; ${dry.covered} covered by existing rules, ` +
			`${dry.default_allowed} allowed by a default, ${dry.conflicts.length} in conflict with deny rules.`,
	[added, await text(page, '#template-summary'), dry.added]);
	console.log(`# the template adds: ${dry.added.map((a) => `${a.rule.type} ${a.rule.program} ${a.rule.path || ''} ` +
		`${a.rule.action} (${a.generalisation || 'exact'})`).join('; ')}`);
	await page.click('#tmpl-apply');
	await page.waitForSelector('#template-status');
	const after = (await api('GET', `/api/v1/policies/${pid}`)).body;
	ok('merged: the status links the policy; the old rules kept, the learned ones appended',
		await text(page, '#template-status') === `Merged into ui-kernel (revision ${before.revision + 1}).` &&
		after.revision === before.revision + 1 &&
		same(after.policy.rules, [...before.policy.rules, ...dry.added.map((a) => a.rule)]),
	[await text(page, '#template-status'), after.policy.rules]);

	// ---- back to the policy's mode and learning switch: the merged policy enforced
	await open(page, 'containers', `#ov-learn-${CID}`);
	await page.selectOption(`#ov-learn-${CID}`, 'policy');
	await page.waitForSelector(`#containers-status:text("${CID}: effective mode monitor, learning off.")`);
	await page.selectOption(`#ov-mode-${CID}`, 'policy');
	await page.waitForSelector(`#containers-status:text("${CID}: effective mode enforce, learning off.")`);
	k = await until(async () => {
		const t = await kernelTable(c.cgroup_id);
		return t && t.container_mode === 'policy' && t.learn !== 'on' && t.nrules === after.policy.rules.length && t;
	});
	ok("crs.ko: no override, the merged policy's rules", k !== null, await kernelTable(c.cgroup_id));
	const wget2 = await inside('wget');
	const secret2 = await inside('secret');
	ok('enforced again: wget runs by the learned rule, /etc/secret is denied', !/Permission denied/.test(wget2) &&
		/\(exit 1\)/.test(wget2) && /Permission denied/.test(secret2), [wget2, secret2]);
	const ev3 = await until(async () => {
		const e = (await api('GET', `/api/v1/events?container=${CID}&action=deny`)).body.events;
		return e.length >= 2 && e;
	}, 10000) || (await api('GET', `/api/v1/events?container=${CID}&action=deny`)).body.events;
	ok('no denial of wget was ever reported; the last denial is the read, enforced', !ev3.some((e) =>
		e.path === '/usr/local/bin/wget') && ev3.length === 2 && ev3[1].path === '/etc/secret' &&
		ev3[1].mode === 'enforce', ev3);
	ok('no errors in the browser console (CSP violations included)', errors.length === 0, errors);
} catch (e) {
	ok(`no exception: ${e.message.split('\n')[0]}`, false);
} finally {
	await browser.close();
}
process.exit(done());
