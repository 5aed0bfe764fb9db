# shellcheck shell=bash
# Source this file to make sure a headless Chromium is installed for the
# console's browser tests (TestE2EConsole): Debian's chromium package is
# installed with apt-get when no Chromium is found. It exports
# CARDFLOW_REQUIRE_BROWSER=1, so that the browser tests fail instead of
# skipping when the browser cannot be started.

cardflow_find_chromium() {
	local name
	for name in chromium chromium-headless-shell chromium-browser; do
		if command -v "$name" >/dev/null 2>&1; then
			command -v "$name"
			return 0
		fi
	done
	return 1
}

if ! cardflow_find_chromium >/dev/null; then
	echo "Installing Debian's chromium for the console's browser tests" >&2
	sudo_cmd=""
	if [ "$(id -u)" != 0 ]; then
		sudo_cmd="sudo"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q chromium >/dev/null 2>&1 ||
		{ $sudo_cmd apt-get update -q >/dev/null 2>&1 &&
			DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q chromium >/dev/null; }
fi
CARDFLOW_CHROMIUM=$(cardflow_find_chromium) || { echo "no Chromium could be installed" >&2; return 1; }
export CARDFLOW_CHROMIUM
export CARDFLOW_REQUIRE_BROWSER=1
echo "Chromium for the browser tests: $("$CARDFLOW_CHROMIUM" --version 2>/dev/null)" >&2
