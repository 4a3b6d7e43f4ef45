# tests/cli/tmux.sh - drive the real program in a real terminal (tmux), for black-box
# TUI tests.  Source after lib.sh.  Every wait polls the screen with a timeout; nothing
# sleeps blindly.  Keystrokes sent through `type` and `key` are counted in $KEYS.
command -v tmux > /dev/null || { echo "not ok 1 - tmux is not installed (scripts/install-deps installs it)"; exit 1; }
TMUX_SOCK=fbtest$$
TMUX_SESSION=fb
KEYS=0
tm() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2> /dev/null; rm -rf "$T"' EXIT

# start [COLS ROWS]: starts fieldbook (no arguments: the TUI) in a fresh terminal.
start() {
	local cols=${1:-80} rows=${2:-24}
	tm kill-server 2> /dev/null
	STARTS=$((${STARTS:-0} + 1))
	TMUX_SOCK=fbtest$$-$STARTS # a fresh server each time: no race with the old one's exit
	tm new-session -d -s "$TMUX_SESSION" -x "$cols" -y "$rows" \
		"env ${START_ENV:-} LC_ALL=C.UTF-8 TERM=tmux-256color FIELDBOOK_HOME='$FIELDBOOK_HOME' FIELDBOOK_CONFIG='$FIELDBOOK_CONFIG' \
		 TZ=Asia/Shanghai ASAN_OPTIONS='${ASAN_OPTIONS:-}:log_path=$T/asan' '$FB'; echo FIELDBOOK-EXITED \$?; sleep 600"
	KEYS=0
}
screen_text() { tm capture-pane -p -t "$TMUX_SESSION"; }
screen_escapes() { tm capture-pane -p -e -t "$TMUX_SESSION"; }
# The pid of fieldbook in the pane (the child of the pane's shell).
fb_pid() { pgrep -P "$(tm display-message -p -t "$TMUX_SESSION" '#{pane_pid}')" | head -1; }
# wait_for PATTERN [SECONDS]: polls the screen until grep -E PATTERN matches; 1 on timeout.
wait_for() {
	local pat=$1 limit=${2:-10} end
	end=$((SECONDS + limit))
	while [ "$SECONDS" -le "$end" ]; do
		screen_text | grep -qE -- "$pat" && return 0
		sleep 0.05
	done
	echo "#   timed out waiting for: $pat"
	screen_text | sed 's/^/#   | /'
	return 1
}
# type TEXT: types characters literally (each character counts as one keystroke).
type() {
	tm send-keys -t "$TMUX_SESSION" -l -- "$1"
	KEYS=$((KEYS + $(printf '%s' "$1" | python3 -c 'import sys; print(len(sys.stdin.read()))')))
}
# key NAME...: tmux key names (Tab, Enter, Escape, C-s, BTab, Up, ...), one keystroke each.
key() {
	local k
	for k in "$@"; do
		tm send-keys -t "$TMUX_SESSION" "$k"
		KEYS=$((KEYS + 1))
	done
}
resize() { tm resize-window -t "$TMUX_SESSION" -x "$1" -y "$2"; }
# step DESCRIPTION PATTERN: a TAP line for waiting on the screen.
step() {
	n=$((n + 1))
	if wait_for "$2" "${3:-10}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
# no_sanitizer_reports: a TAP line that the program left no ASan/UBSan log.
no_sanitizer_reports() {
	n=$((n + 1))
	if ls "$T"/asan* > /dev/null 2>&1; then echo "not ok $n - sanitizer reports"; sed 's/^/#   /' "$T"/asan* | head -30
	else echo "ok $n - no sanitizer report"; fi
}
