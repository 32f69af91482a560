# lib.sh - sourced by the console's browser test scripts (run.sh, kernel.sh).
#
#   ui_node_setup FILE...   check that node, npm and chromium ($CHROMIUM,
#                           default /usr/bin/chromium) are there, install
#                           playwright-core exactly as ui/tests/package-lock.json
#                           locks it into $NODE_DIR (npm ci, no browser download),
#                           and copy FILE... (the test and lib.mjs) beside it
# Sets HERE (ui/tests), REPO, NODE_DIR (${BUILD:-build}/ui-tests) and CHROMIUM.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NODE_DIR=$REPO/${BUILD:-build}/ui-tests
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

ui_node_setup() {
	local c
	for c in node npm "$CHROMIUM"; do
		command -v "$c" >/dev/null || { echo "${0##*/}: $c is missing (scripts/deps.sh)" >&2; return 1; }
	done
	mkdir -p "$NODE_DIR" || return 1
	if ! cmp -s "$HERE/package-lock.json" "$NODE_DIR/package-lock.json" ||
	   [ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
		cp "$HERE/package.json" "$HERE/package-lock.json" "$NODE_DIR/" &&
		(cd "$NODE_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) ||
			return 1
	fi
	cp "$HERE/lib.mjs" "$@" "$NODE_DIR/"
}
