#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (make test), waiting for the package manager's lock when another
# apt or dpkg holds it: at most TRIES attempts WAIT seconds apart (10 minutes), saying what it waits for. Any other
# failure of apt ends it at once with apt's own message.
set -uo pipefail
# (the environment may override these, as tests/test_packaging.py does with a stand-in apt-get)
if [ -z "${INSTALL_CHROMIUM_SUDO+set}" ]; then
    INSTALL_CHROMIUM_SUDO=""
    [ "$(id -u)" = 0 ] || INSTALL_CHROMIUM_SUDO=sudo
fi
SUDO=$INSTALL_CHROMIUM_SUDO
TRIES=${INSTALL_CHROMIUM_TRIES:-60}
WAIT=${INSTALL_CHROMIUM_WAIT:-10}
[ -z "${INSTALL_CHROMIUM_FORCE:-}" ] && command -v chromium >/dev/null 2>&1 && exit 0
for i in $(seq "$TRIES"); do
    log=$(mktemp)
    if $SUDO apt-get -o DPkg::Lock::Timeout="$WAIT" update -qq 2>"$log" \
        && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$WAIT" install -y -qq \
            --no-install-recommends chromium 2>>"$log"; then
        rm -f "$log"
        exit 0
    fi
    if ! grep -qiE "could not get lock|unable to lock|is another process using it" "$log"; then
        cat "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    echo "install_chromium: another apt or dpkg holds the package manager's lock; waiting (attempt $i of $TRIES," \
         "every ${WAIT} s)" >&2
    sleep "$WAIT"
done
echo "install_chromium: the package manager's lock was held for $((TRIES * WAIT)) s; install chromium by hand" >&2
exit 1
