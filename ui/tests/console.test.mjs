// The web console in a real browser against a real crsd (run by run.sh, which
// sets CRSD_URL, CRSD_TOKEN, CRSD_DB, CHROMIUM and, for make screenshots,
// SHOTS). Every check compares exact DOM text or API state.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { ok, done, apiClient, openBrowser, text, same, focused, shownErrors, unlabelled } from './lib.mjs';

const URL = process.env.CRSD_URL;
const TOKEN = process.env.CRSD_TOKEN;
const SHOTS = process.env.SHOTS || '';
const api = apiClient(URL, TOKEN);

async function shot(page, name, fullPage) {
	if (!SHOTS)
		return;
	mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: !!fullPage });
}

// 404 is expected for an image's profile that does not exist.
const { browser, page, errors: cspErrors } = await openBrowser(/\/api\/v1\/images\/[^/]+\/profile\?/);

try {
	// ---- log in
	await page.goto(URL + '/');
	ok('the page asks for the token', await text(page, 'label[for=token]') === 'API token');
	await shot(page, 'login');
	await page.fill('#token', TOKEN.slice(0, -1) + 'x');
	await page.click('button[type=submit]');
	await page.waitForFunction(() => document.getElementById('token-error')?.textContent !== '');
	ok('a wrong token: the error beside the field', await text(page, '#token-error') ===
		"token: not crsd's token", await text(page, '#token-error'));
	await page.fill('#token', TOKEN);
	await page.click('button[type=submit]');
	ok('logged in: the policies page, empty', await text(page, '.empty p') === 'No policies yet.',
		await text(page, '.empty p'));
	ok('the session cookie is not readable by scripts (HttpOnly)',
		await page.evaluate(() => document.cookie) === '', await page.evaluate(() => document.cookie));
	const cookies = await page.context().cookies();
	const c = cookies.find((k) => k.name === 'crsd_session');
	ok('the cookie: HttpOnly, SameSite=Strict, path /', c && c.httpOnly && c.sameSite === 'Strict' &&
		c.path === '/', c);

	// ---- create a policy: a rule added through the form with a bad path,
	// the JSON view (a syntax error, the fix), back to the form, saved
	await page.click('a[href="#/policies/new"]');
	await page.waitForSelector('#f-name');
	ok('a new policy: the rules as a form, none yet', await page.isChecked('#view-form') &&
		await text(page, '#no-rules') === 'No rules: every access gets the default action of its type.');
	await page.fill('#f-name', 'web');
	await page.selectOption('#f-mode', 'enforce');
	await page.focus('#add-rule-type');
	await page.keyboard.press('Tab');
	ok('Tab goes from the type of a new rule to Add rule', await focused(page) === 'add-rule');
	await page.keyboard.press('Enter');
	await page.waitForSelector('#r0-name');
	ok('Enter adds a file rule card and focuses its name', await text(page, '#r0-title') === 'Rule 0: file' &&
		await focused(page) === 'r0-name' && await text(page, '#rules-status') === 'Rule 0 (file) added.',
	[await text(page, '#r0-title'), await focused(page)]);
	await page.keyboard.type('no shadow');
	await page.fill('#r0-path', 'etc/shadow');
	ok('a new file rule: deny, any program, enabled, read', await page.inputValue('#r0-action') === 'deny' &&
		await page.inputValue('#r0-program') === '*' && await page.isChecked('#r0-enabled') &&
		await page.isChecked('#r0-access-read') && !(await page.isChecked('#r0-access-write')));
	await page.click('button[type=submit]');
	await page.waitForFunction(() => document.getElementById('err-r0-path')?.textContent !== '');
	const bad = [{ name: 'no shadow', type: 'file', action: 'deny', program: '*', enabled: true,
		path: 'etc/shadow', access: ['read'] }];
	const expect = await api('POST', '/api/v1/policies', { name: 'web', mode: 'enforce', rules: bad });
	ok('the API refuses the bad path on rules[0].path', expect.status === 400 &&
		expect.body.field === 'rules[0].path', expect);
	ok("the API's message beside the rule's path field",
		await text(page, '[data-field="rules[0].path"] .field-error') === expect.body.error,
		await text(page, '[data-field="rules[0].path"] .field-error'));
	ok('the path field is marked invalid and focused', await page.evaluate(() =>
		document.activeElement.id === 'r0-path' &&
		document.activeElement.getAttribute('aria-invalid') === 'true'));
	ok('no other field shows an error', (await shownErrors(page)).length === 1, await shownErrors(page));
	await shot(page, 'policy-error');
	await page.check('#view-json');
	ok('the JSON view: the rule as the form made it', same(JSON.parse(await page.inputValue('#f-rules')), bad),
		await page.inputValue('#f-rules'));
	await page.fill('#f-rules', '[\n  {"type": "file",\n   "action" "deny"}\n]');
	await page.click('button[type=submit]');
	await page.waitForFunction(() => /line/.test(document.getElementById('err-rules')?.textContent));
	ok('a JSON syntax error: line and column beside the field',
		await text(page, '#err-rules') === 'rules: line 3, column 13: not valid JSON',
		await text(page, '#err-rules'));
	ok('the JSON box is marked invalid and focused', await page.evaluate(() =>
		document.activeElement.id === 'f-rules' &&
		document.activeElement.getAttribute('aria-invalid') === 'true'));
	await page.click('#view-form');
	ok('no way to the form from JSON that does not parse', await page.isChecked('#view-json') &&
		await text(page, '#err-rules') === 'rules: line 3, column 13: not valid JSON' &&
		await page.isVisible('#f-rules') && !(await page.isVisible('#add-rule')));
	bad[0].path = '/etc/shadow';
	await page.fill('#f-rules', JSON.stringify(bad, null, 2));
	await page.check('#view-form');
	ok('back to the form: the card shows the fix made in JSON, the error gone',
		await page.inputValue('#r0-path') === '/etc/shadow' && await page.inputValue('#r0-name') === 'no shadow' &&
		await page.isChecked('#r0-access-read') && await page.textContent('#err-rules') === '',
	await page.inputValue('#r0-path'));
	await page.selectOption('#f-da-execute', 'deny');
	await page.click('button[type=submit]');
	await page.waitForSelector('h1:text("Policy web")');
	const { body: list } = await api('GET', '/api/v1/policies');
	const web = list.policies.find((p) => p.name === 'web');
	ok('fixed: created, as typed', web && web.mode === 'enforce' && web.rules === 1, list);
	ok('the detail page groups the rule under file',
		await text(page, '[data-type=file] h3') === 'file rules (1) default: allow' &&
		await text(page, '[data-type=execute] h3') === 'execute rules (0) default: deny',
		[await text(page, '[data-type=file] h3'), await text(page, '[data-type=execute] h3')]);
	await page.uncheck('#rule-on-0');
	await page.waitForSelector('[data-type=file] tr.disabled');
	const off = await api('GET', `/api/v1/policies/${web.id}`);
	ok('a rule switched off on the detail page: stored, shown struck through',
		off.body.policy.rules[0].enabled === false && off.body.revision === 2 &&
		!(await page.isChecked('#rule-on-0')), off.body);
	await page.check('#rule-on-0');
	await page.waitForSelector('[data-type=file] tbody tr:not(.disabled)');
	const on = await api('GET', `/api/v1/policies/${web.id}`);
	ok('and on again', on.body.policy.rules[0].enabled === true && on.body.revision === 3, on.body);
	await shot(page, 'policy');

	// A name already taken: 409 from the API, shown beside the name.
	await page.goto(URL + '/#/policies/new');
	await page.fill('#f-name', 'web');
	await page.click('button[type=submit]');
	await page.waitForFunction(() => document.getElementById('err-name')?.textContent !== '');
	const dup = await api('POST', '/api/v1/policies', { name: 'web' });
	ok('a name taken: the 409 message beside the name', dup.status === 409 &&
		await text(page, '#err-name') === dup.body.error, [dup, await text(page, '#err-name')]);

	// ---- the rule editor: a policy with a rule of every type (and an argument
	// value beyond 2^53), edited through the form
	const U64 = '18446744073709551615';
	const every = { name: 'every-type', mode: 'monitor', rules: [
		{ name: 'no shadow', type: 'file', action: 'deny', path: '/etc/shadow', access: ['read', 'write'] },
		{ type: 'execute', action: 'deny', program: '/usr/sbin/nginx', path: '/bin/*' },
		{ name: 'http', type: 'listener', action: 'allow', port: 80, protocol: 'tcp' },
		{ type: 'network', action: 'allow', program: '/usr/bin/curl', direction: 'outbound',
			address: '10.0.0.0/8', port: '443', protocol: 'tcp' },
		{ name: 'no attach', type: 'syscall', action: 'deny', syscall: 'ptrace',
			args: [{ index: 0, op: 'eq', value: 16 }, { index: 1, op: 'mask_any', value: 'U64' }] }] };
	const made = await api('POST', '/api/v1/policies', JSON.stringify(every).replace('"U64"', U64));
	ok('a policy with every rule type (API)', made.status === 201 && made.raw.includes(`"value":${U64}`) ||
		made.status === 201 && made.raw.includes(`"value": ${U64}`), made.raw);
	const EID = made.body.id;
	const stored = made.body.policy.rules;
	await page.goto(`${URL}/#/policies/${EID}/edit`);
	await page.waitForSelector('#r4-type');
	ok('one card per rule, in order, each with its type', JSON.stringify(await page.$$eval('.rule-card',
		(cs) => cs.map((c) => c.dataset.type))) === JSON.stringify(stored.map((r) => r.type)));
	ok("each type's own fields, from the stored policy", await page.inputValue('#r0-path') === '/etc/shadow' &&
		await page.isChecked('#r0-access-write') && !(await page.$('#r1-access-read')) &&
		await page.inputValue('#r1-program') === '/usr/sbin/nginx' &&
		await page.inputValue('#r2-port') === '80' && await page.inputValue('#r2-protocol') === 'tcp' &&
		!(await page.$('#r2-direction')) && await page.inputValue('#r3-direction') === 'outbound' &&
		await page.inputValue('#r3-address') === '10.0.0.0/8' && await page.inputValue('#r3-port') === '443' &&
		await page.inputValue('#r4-syscall') === 'ptrace' && await page.inputValue('#r4-args-1-op') === 'mask_any' &&
		await page.inputValue('#r4-args-1-value') === U64);
	ok('every control of the editor has a label', (await unlabelled(page)).length === 0, await unlabelled(page));
	await shot(page, 'policy-edit', true);
	await page.check('#view-json');
	const asJson = await page.inputValue('#f-rules');
	ok('the JSON view: the stored rules, the 64-bit value digit for digit',
		same(JSON.parse(asJson), stored) && asJson.includes(`"value": ${U64}`), asJson);
	// A key the form does not know: kept through the form and sent, so the API names it.
	await page.fill('#f-rules', asJson.replace('"name": "http"', '"name": "http",\n    "comment": "kept"'));
	await page.check('#view-form');
	ok('a key the form does not know is listed on its card', await text(page, '#r2-extra') ===
		'Also in this rule, kept as they are (see the JSON view): comment.', await text(page, '#r2-extra'));
	await page.fill('#r2-name', 'web');
	await page.check('#view-json');
	ok('and kept, with the change made in the form', /"name": "web",\s*"comment": "kept"/.test(
		await page.inputValue('#f-rules')) || JSON.parse(await page.inputValue('#f-rules'))[2].comment === 'kept' &&
		JSON.parse(await page.inputValue('#f-rules'))[2].name === 'web', await page.inputValue('#f-rules'));
	await page.check('#view-form');
	await page.click('button[type=submit]');
	await page.waitForFunction(() => document.getElementById('err-r2')?.textContent !== '');
	const withKey = structuredClone(stored);
	Object.assign(withKey[2], { name: 'web', comment: 'kept' });
	const unknown = await api('POST', '/api/v1/policies', JSON.stringify({ name: 'x', rules: withKey })
		.replace(/18446744073709552000/, U64));
	ok("sent: the API's message on the rule's card", unknown.status === 400 &&
		unknown.body.field === 'rules[2].comment' && await text(page, '#err-r2') === unknown.body.error &&
		await focused(page) === 'r2-type', [unknown.body, await text(page, '#err-r2')]);
	await page.check('#view-json');
	await page.fill('#f-rules', (await page.inputValue('#f-rules')).replace(/,\s*"comment": "kept"/, ''));
	await page.check('#view-form');
	ok('the key removed in JSON: nothing extra on the card', await page.$('#r2-extra') === null);
	// Add a rule, change its type, remove another, a bad port, then the fix.
	await page.selectOption('#add-rule-type', 'file');
	await page.click('#add-rule');
	await page.waitForSelector('#r5-path');
	await page.selectOption('#r5-type', 'listener');
	ok('a new rule made a listener: its fields, the focus kept', await page.$('#r5-path') === null &&
		await page.$('#r5-access-read') === null && await page.inputValue('#r5-address') === '*' &&
		await page.inputValue('#r5-port') === '*' && await page.inputValue('#r5-protocol') === 'tcp' &&
		await focused(page) === 'r5-type');
	await page.fill('#r5-name', 'admin');
	await page.selectOption('#r5-action', 'allow');
	await page.fill('#r5-port', '70000');
	await page.click('#r1-remove');
	ok('Remove: the cards renumbered, the focus on the next one', await page.$$eval('.rule-card',
		(cs) => cs.length) === 5 && await text(page, '#r1-title') === 'Rule 1: listener' &&
		await page.inputValue('#r4-name') === 'admin' && await focused(page) === 'r1-type' &&
		await text(page, '#rules-status') === 'Rule 1 removed.', await text(page, '#rules-status'));
	await page.uncheck('#r0-enabled');
	await page.click('button[type=submit]');
	await page.waitForFunction(() => document.getElementById('err-r4-port')?.textContent !== '');
	const want = [Object.assign({}, stored[0], { enabled: false }), Object.assign({}, stored[2], { name: 'web' }),
		stored[3], stored[4], { enabled: true, type: 'listener', action: 'allow', program: '*', name: 'admin',
			address: '*', port: 70000, protocol: 'tcp' }];
	const body = (rules) => JSON.stringify({ name: 'y', rules }).replace(/18446744073709552000/, U64);
	const badPort = await api('POST', '/api/v1/policies', body(want));
	ok("a bad port: the API's message beside that rule's port", badPort.status === 400 &&
		badPort.body.field === 'rules[4].port' && await text(page, '#err-r4-port') === badPort.body.error,
	[badPort.body, await text(page, '#err-r4-port')]);
	ok('the port is marked invalid and focused, no other error shown', await page.evaluate(() =>
		document.activeElement.id === 'r4-port' &&
		document.activeElement.getAttribute('aria-invalid') === 'true') &&
		(await shownErrors(page)).length === 1, await shownErrors(page));
	await shot(page, 'policy-rule-error');
	await page.fill('#r4-port', '8080');
	await page.click('button[type=submit]');
	await page.waitForSelector('h1:text("Policy every-type")');
	want[4].port = 8080;
	const check = await api('POST', '/api/v1/policies', body(want));
	const saved = await api('GET', `/api/v1/policies/${EID}`);
	ok('saved: exactly the expected rules, in the canonical form', saved.body.revision === 2 &&
		same(saved.body.policy.rules, check.body.policy.rules) && saved.raw.includes(U64) &&
		!saved.raw.includes('comment'), saved.body.policy.rules);
	await api('DELETE', `/api/v1/policies/${check.body.id}`);
	ok('the detail page: the new listener rule in its group', await text(page, '[data-type=listener] h3') ===
		'listener rules (2) default: allow' && await text(page, '[data-type=execute] h3') ===
		'execute rules (0) default: allow', await text(page, '[data-type=listener] h3'));

	// ---- apply it to an image
	await page.click('a[href="#/images"]');
	await page.waitForSelector('#new-image');
	await page.fill('#new-image', 'nginx:1.25');
	await page.selectOption('#new-policy', web.id);
	await page.click('form.inline-form button[type=submit]');
	await page.waitForSelector('#images-status:text("Applied to nginx:1.25.")');
	const img = await api('GET', '/api/v1/images/nginx:1.25/policy');
	ok('applied: the API has the assignment', img.status === 200 && img.body.policy === web.id, img);
	ok('the image row, normalized, with its policy', await text(page,
		'tr[data-image="docker.io/library/nginx:1.25"] td:nth-child(2)') === 'web');
	await shot(page, 'images');

	// ---- a container registered as crsd-hook does (POST /api/v1/containers)
	const reg = await api('POST', '/api/v1/containers', { id: 'c1', image: 'nginx:1.25',
		cgroup: '/sys/fs/cgroup/system.slice/crun-c1.scope', pid: 4242 });
	ok('the hook path registers c1', reg.status === 201, reg);
	await page.click('a[href="#/containers"]');
	const row = 'tr[data-container=c1]';
	await page.waitForSelector(row);
	ok('c1 appears with its image, policy and mode',
		await text(page, `${row} td:nth-child(2)`) === 'docker.io/library/nginx:1.25' &&
		await text(page, `${row} td:nth-child(4)`) === 'web' &&
		await text(page, `${row} [data-effective]`) === 'enforce',
		await text(page, row));

	// ---- an event, live. crs.ko is absent on the host, so nothing can raise a
	// real violation: the row is written into crsd's database as crsd's event
	// thread would store it (as crsd/tests/api_test.sh does), and the stream
	// picks it up from the store.
	await page.click('a[href="#/events"]');
	await page.waitForSelector('#live:text("Live:")');
	ok('no events yet: the empty state', await text(page, '.empty p') ===
		'No events match yet. New ones appear here as they arrive.');
	const now = BigInt(Date.now()) * 1000000n;
	const ev = { time: new Date().toISOString(), type: 'file', action: 'deny', program: '/usr/bin/cat',
		rule_index: 0, rule_name: 'no shadow', path: '/etc/shadow', access: ['read'], pid: 4243,
		container: 'c1', image: 'docker.io/library/nginx:1.25', policy: web.id };
	execFileSync('sqlite3', ['-cmd', '.timeout 5000', process.env.CRSD_DB,
		`INSERT INTO events (time_ns, container_id, image, policy_id, type, action, json) VALUES (${now},
		 'c1', 'docker.io/library/nginx:1.25', '${web.id}', 'file', 'deny', '${JSON.stringify(ev)}')`]);
	const first = await page.waitForSelector('#events-body tr', { timeout: 5000 }).catch(() => null);
	ok('the event arrives live in the table', first !== null &&
		(await first.textContent()).includes('/etc/shadow (read)') &&
		(await first.textContent()).includes('no shadow'), first && await first.textContent());
	ok('counted per rule', await text(page, '#rule-counts tbody tr') === 'no shadow1');
	ok('no drop warning while nothing was dropped', await page.$('#drops') === null);
	await shot(page, 'events');
	await page.goto(URL + '/#/events?type=execute');
	await page.waitForSelector('#live:text("Live:")');
	ok('a type filter leaves it out', await page.$('#events-body tr') === null &&
		await page.inputValue('#flt-type') === 'execute');

	// ---- toggle c1 to monitor
	await page.click('a[href="#/containers"]');
	await page.waitForSelector('#ov-mode-c1');
	await page.selectOption('#ov-mode-c1', 'monitor');
	await page.waitForSelector('#containers-status:text("c1: effective mode monitor, learning off.")');
	ok('toggled to monitor: the effective mode shows it',
		await text(page, `${row} [data-effective]`) === 'monitor');
	const c1 = await api('GET', '/api/v1/containers/c1');
	ok('and crsd has the override', c1.body.overrides.mode === 'monitor' &&
		c1.body.effective_mode === 'monitor', c1.body);
	await shot(page, 'containers');
	await page.goto(URL + '/#/policies');
	await page.waitForSelector('#policies');
	ok('the policies list: rule counts, image, container', await text(page,
		'tr[data-policy=web]') === 'webenforce1 (file 1)docker.io/library/nginx:1.25c1',
		await text(page, 'tr[data-policy=web]'));
	await shot(page, 'policies');

	// ---- learning. Without crs.ko nothing learns for real: c1's profile is
	// written into crsd's database as its learn thread would store a dump
	// (as crsd/tests/learn_api_test.sh does).
	await page.click('a[href="#/containers"]');
	await page.waitForSelector('#ov-learn-c1');
	await page.selectOption('#ov-learn-c1', 'on');
	await page.waitForSelector('#containers-status:text("c1: effective mode monitor, learning on.")');
	const lc1 = await api('GET', '/api/v1/containers/c1');
	ok('learning switched on in the overrides: crsd has it', lc1.body.overrides.learning === true &&
		lc1.body.learning.effective === true, lc1.body);
	ok('the focus stays on the learning control', await page.evaluate(() =>
		document.activeElement.id) === 'ov-learn-c1');
	const IMG = 'docker.io/library/nginx:1.25';
	const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', process.env.CRSD_DB, q]);
	sql(`INSERT INTO profiles (scope, key, image, dropped, dropped_long, kernel_epoch, kernel_generation,
		updated, synced) VALUES ('container', 'c1', '${IMG}', 0, 0, 1, 4, ${now}, ${now})`);
	const seen = [ // [json, access bits, outcome bits]
		[{ type: 'file', program: '/usr/sbin/nginx', outcome: 'allowed', path: '/etc/nginx/nginx.conf', access: 'read' }, 1, 1],
		[{ type: 'file', program: '/usr/sbin/nginx', outcome: 'allowed', path: '/etc/shadow', access: 'read' }, 1, 1],
		[{ type: 'execute', program: '/bin/sh', outcome: 'allowed', path: '/usr/sbin/nginx' }, 4, 1],
		[{ type: 'execute', program: '/usr/sbin/nginx', outcome: 'allowed', path: '/usr/bin/id' }, 4, 1],
	];
	for (const [o, acc, out] of seen) {
		const key = `${o.type} ${o.path.length}:${o.path} ${o.program.length}:${o.program}`;
		sql(`INSERT INTO observations (profile_id, key, type, program, json, access, outcome, first_seen,
			last_seen) VALUES ((SELECT id FROM profiles WHERE scope = 'container' AND key = 'c1'),
			'${key}', '${o.type}', '${o.program}', '${JSON.stringify(o)}', ${acc}, ${out}, ${now}, ${now})`);
	}
	await page.click('a[href="#/learning"]');
	const lrow = 'tr[data-container=c1]';
	await page.waitForSelector(`#learning-containers ${lrow}`);
	ok('Learning lists c1, learning on by its override', await text(page, `${lrow} td:nth-child(2)`) === IMG &&
		await text(page, `${lrow} [data-learning]`) === 'on (override)', await text(page, lrow));
	ok('and its image, with one container learning',
		await text(page, `tr[data-image="${IMG}"] td:nth-child(2)`) === '1',
		await text(page, '#learning-images'));
	await shot(page, 'learning');
	await page.click(`${lrow} a`);
	await page.waitForSelector('h1:text("Profile of container c1")');
	ok("the profile's counts", await text(page, '#profile-count') === '4' &&
		await text(page, '#profile-dropped') === '0 (table full 0, too long 0)' &&
		await text(page, '#profile-shown') === 'Showing 4 of 4 observations.',
	[await text(page, '#profile-count'), await text(page, '#profile-dropped')]);
	const prof = await api('GET', '/api/v1/containers/c1/profile');
	ok('the observations, in the API\'s order', JSON.stringify(await page.$$eval('#observations tbody tr',
		(rs) => rs.map((r) => [...r.cells].slice(0, 5).map((c) => c.textContent)))) === JSON.stringify(
		prof.body.observations.map((o) => [o.type, o.program, o.path, o.access || '—', o.outcome])),
	await page.$$eval('#observations tbody tr', (rs) => rs.map((r) => r.textContent)));
	ok('no incomplete warning for a complete profile', await page.$('#profile-incomplete') === null);
	ok("the merge target is c1's policy", await page.inputValue('#tmpl-target') === web.id &&
		await text(page, '#tmpl-apply') === 'Merge into web', await text(page, '#tmpl-apply'));

	// A preview: the diff against web, kept and added rules.
	const webBefore = (await api('GET', `/api/v1/policies/${web.id}`)).body;
	const dry = (await api('POST', '/api/v1/containers/c1/policy-template',
		{ merge_policy_id: web.id, dry_run: true })).body;
	await page.click('#tmpl-preview');
	await page.waitForSelector('#template-summary');
	const nAdd = dry.added.length;
	ok('the preview summary, as the API reports it', await text(page, '#template-summary') ===
		`Preview: ${nAdd} rules added to web; ${dry.covered} covered by existing rules, ` +
		`${dry.default_allowed} allowed by a default, ${dry.conflicts.length} in conflict with deny rules.`,
	[await text(page, '#template-summary'), dry]);
	ok('the API adds the two executions and reports /etc/shadow as a conflict', nAdd === 2 &&
		dry.conflicts.length === 1 && dry.conflicts[0].rule_name === 'no shadow', dry);
	const diff = await page.$$eval('#template-rules tbody tr', (rs) => rs.map((r) =>
		[r.dataset.added, r.cells[0].textContent, r.cells[1].textContent, r.cells[2].textContent,
			r.cells[3].textContent]));
	ok('the diff: the kept rule plain, the added rules marked +', JSON.stringify(diff) === JSON.stringify([
		...webBefore.policy.rules.map((r) => ['0', '', r.name, r.type, r.program]),
		...dry.added.map((a) => ['1', '+', a.rule.name || '', 'execute', a.rule.program || 'any'])]), diff);
	ok('mode and defaults unchanged', await text(page, '#template-changes') ===
		'mode and defaults unchanged', await text(page, '#template-changes'));
	ok('the conflict is listed', await text(page, '#template-conflicts') ===
		'file /etc/shadow by /usr/sbin/nginx: denied by rule 0 "no shadow"',
		await text(page, '#template-conflicts'));
	ok('a preview stores nothing', (await api('GET', `/api/v1/policies/${web.id}`)).body.revision ===
		webBefore.revision);
	await shot(page, 'profile');

	// Merge: the existing rule byte for byte, the new ones appended.
	await page.click('#tmpl-apply');
	await page.waitForSelector('#template-status');
	const webAfter = (await api('GET', `/api/v1/policies/${web.id}`)).body;
	ok('merged: the status links the policy', await text(page, '#template-status') ===
		`Merged into web (revision ${webBefore.revision + 1}).` &&
		await page.getAttribute('#template-status a', 'href') === `#/policies/${web.id}`,
	await text(page, '#template-status'));
	ok('the API: the old rule identical, the added rules appended',
		webAfter.revision === webBefore.revision + 1 &&
		JSON.stringify(webAfter.policy.rules.slice(0, 1)) === JSON.stringify(webBefore.policy.rules) &&
		JSON.stringify(webAfter.policy.rules.slice(1)) === JSON.stringify(dry.added.map((a) => a.rule)) &&
		JSON.stringify(webAfter.policy.default_actions) === JSON.stringify(webBefore.policy.default_actions),
	webAfter.policy);

	// An incomplete profile: the red warning, then enforce refused with the API's 409.
	sql("UPDATE profiles SET dropped = 4, dropped_long = 1 WHERE scope = 'container' AND key = 'c1'");
	await page.reload();
	await page.waitForSelector('#profile-incomplete');
	ok('an incomplete profile: the warning', await text(page, '#profile-incomplete') ===
		'This profile is incomplete: 4 observations were dropped. A policy made from it may miss ' +
		'what they were, and enforcing it needs "force".' &&
		await text(page, '#profile-dropped') === '4 (table full 3, too long 1)',
	await text(page, '#profile-incomplete'));
	ok('in red', await page.$eval('#profile-incomplete', (e) => getComputedStyle(e).backgroundColor) ===
		'rgb(179, 38, 30)');
	await page.selectOption('#tmpl-target', '');
	ok('a new policy: the button says so', await text(page, '#tmpl-apply') === 'Create policy');
	await page.fill('#tmpl-name', 'learned-strict');
	await page.selectOption('#tmpl-mode', 'enforce');
	await page.click('#tmpl-apply');
	await page.waitForFunction(() => document.getElementById('template-error')?.textContent !== '');
	ok("enforce without force: the API's 409 message", await text(page, '#template-error') ===
		'policy learned-strict was generated from a profile that dropped 4 observations; ' +
		'add force=true to enforce it', await text(page, '#template-error'));
	const pols = (await api('GET', '/api/v1/policies')).body.policies;
	ok('and nothing stored', !pols.some((p) => p.name === 'learned-strict'), pols);
	await page.selectOption('#tmpl-mode', 'monitor');
	await page.click('#tmpl-preview');
	await page.waitForSelector('#template-incomplete');
	ok('the preview says it is incomplete', await text(page, '#template-incomplete') ===
		'Incomplete: the profile dropped 4 observations; this policy may miss them.');
	await page.click('#tmpl-apply');
	await page.waitForSelector('#template-status');
	const strict = (await api('GET', '/api/v1/policies')).body.policies.find((p) => p.name === 'learned-strict');
	ok('monitor: created, marked incomplete', strict && strict.incomplete === true && strict.mode === 'monitor' &&
		await text(page, '#template-status') === 'Policy created: learned-strict (revision 1, marked incomplete).',
	[strict, await text(page, '#template-status')]);

	ok('every control of the profile page has a label', (await unlabelled(page)).length === 0,
		await unlabelled(page));

	// The image: no profile yet, then one of 1001 observations, paged.
	await page.goto(`${URL}/#/learning/image/${encodeURIComponent(IMG)}`);
	await page.waitForSelector(`h1:text("Profile of image ${IMG}")`);
	ok('an image without a profile says so', await text(page, '.empty p') === 'This image has no profile yet.',
		await text(page, 'main'));
	sql(`INSERT INTO profiles (scope, key, image, dropped, dropped_long, kernel_epoch, kernel_generation,
		updated, synced) VALUES ('image', '${IMG}', '${IMG}', 0, 0, 1, 1, ${now}, ${now});
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001)
		INSERT INTO observations (profile_id, key, type, program, json, access, outcome, first_seen, last_seen)
		SELECT (SELECT id FROM profiles WHERE scope = 'image'), printf('file 10:/srv/f%04d 15:/usr/sbin/nginx', i),
		'file', '/usr/sbin/nginx', json_object('type', 'file', 'program', '/usr/sbin/nginx', 'outcome', 'allowed',
		'path', printf('/srv/f%04d', i), 'access', 'read'), 1, 1, ${now}, ${now} FROM n`);
	await page.reload();
	await page.waitForSelector('#profile-shown');
	ok('a page of 1000, and a button for the rest', await text(page, '#profile-shown') ===
		'Showing 1000 of 1001 observations.' && await page.isVisible('#profile-more'),
	await text(page, '#profile-shown'));
	await page.click('#profile-more');
	await page.waitForSelector('#profile-shown:text("Showing 1001 of 1001 observations.")');
	ok('Show more: the last one, and the button gone', await page.$$eval('#observations tbody tr',
		(rs) => rs.length) === 1001 && await text(page, '#observations tbody tr:last-child td:nth-child(3)') ===
		'/srv/f1001' && !(await page.isVisible('#profile-more')));

	// The override back to the policy's switch.
	await page.goto(URL + '/#/containers');
	await page.waitForSelector('#ov-learn-c1');
	await page.selectOption('#ov-learn-c1', 'policy');
	await page.waitForSelector('#containers-status:text("c1: effective mode monitor, learning off.")');
	const lc2 = await api('GET', '/api/v1/containers/c1');
	ok('learning back to the policy: the override cleared', lc2.body.overrides.learning === null &&
		lc2.body.learning.effective === false && await page.inputValue('#ov-learn-c1') === 'policy', lc2.body);
	await page.goto(URL + '/#/policies');

	// ---- keyboard and a narrow window
	await page.reload();
	await page.waitForSelector('#policies');
	await page.keyboard.press('Tab');
	ok('Tab reaches the skip link first', await page.evaluate(() =>
		document.activeElement.textContent) === 'Skip to content',
	await page.evaluate(() => document.activeElement.outerHTML.slice(0, 80)));
	await page.keyboard.press('Tab');
	await page.keyboard.press('Tab');
	ok('then the pages, as links', await page.evaluate(() =>
		document.activeElement.getAttribute('href')) === '#/images',
	await page.evaluate(() => document.activeElement.outerHTML.slice(0, 80)));
	await page.keyboard.press('Enter');
	await page.waitForSelector('h1:text("Images")');
	ok('Enter follows it, and the focus moves to the page', page.url().endsWith('#/images') &&
		await page.evaluate(() => document.activeElement.id) === 'main');
	await page.setViewportSize({ width: 420, height: 800 });
	for (const p of ['policies', `policies/${EID}/edit`, 'images', 'containers', 'events', 'learning',
		'learning/container/c1']) {
		await page.goto(`${URL}/#/${p}`);
		await page.waitForSelector('main h1');
		await page.waitForTimeout(200);
		const w = await page.evaluate(() => document.documentElement.scrollWidth);
		ok(`${p} fits a 420 px window`, w <= 420, w);
	}
	await page.selectOption('#tmpl-target', '');
	await page.click('#tmpl-preview');
	await page.waitForSelector('#template-rules');
	await page.waitForTimeout(200);
	const pw = await page.evaluate(() => document.documentElement.scrollWidth);
	ok('a profile with its template diff fits a 420 px window', pw <= 420, pw);
	await page.setViewportSize({ width: 1280, height: 800 });

	// ---- log out
	await page.click('#logout');
	await page.waitForSelector('#token');
	ok('logged out: the login again', await text(page, '#token-error') === 'Logged out.');
	const after = await page.evaluate(async () => (await fetch('/api/v1/policies')).status);
	ok('the old session is refused', after === 401, after);
	ok('no errors in the browser console (CSP violations included)', cspErrors.length === 0,
		cspErrors);
} catch (e) {
	ok(`no exception: ${e.message.split('\n')[0]}`, false);
} finally {
	await browser.close();
}
process.exit(done());
