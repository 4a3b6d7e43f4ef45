# t_tui_tmux.sh - black-box tests of the TUI in a real terminal (tmux, 80x24, C.UTF-8):
# the one-minute sign-up (counting keystrokes), a consultation linked to a person, a
# search, an edit that shows in history, a resize while a form is open, and quitting
# with unsaved changes.  Every wait polls the screen with a timeout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"
$FB init --device-label gate-1 --team 中山港 --operator 张静 > /dev/null
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00

# 1. The one-minute sign-up of a food-delivery rider.
start 80 24
step "home screen appears" "1  Person"
key n
step "sign-up form opens" "Name"
type 王小明; key Tab Tab
type 310115199503151235; key Tab
step "gender and birth date derived from the ID as soon as it is entered" "1995-03-15"
type 13912345678; key Tab
type 外卖; key Enter Tab Tab
type 美团; key Enter Tab
type 上海某某配送有限公司
key C-s
step "saved: the record screen shows the rider" "saved"
signup_keys=$KEYS
n=$((n + 1))
if [ "$signup_keys" -le 80 ]; then echo "ok $n - sign-up took $signup_keys keystrokes (at most 80)"
else echo "not ok $n - sign-up took $signup_keys keystrokes (more than 80)"; fi
echo "# sign-up keystrokes: $signup_keys" >&2
out=$($FB list person --format tsv --unmasked)
like "the record exists with its values" "$out" "王小明	310115199503151235	13912345678	food_delivery|王小明	310115199503151235	13912345678	food delivery rider"
id=$($FB search 王小明 --format tsv | awk -F'\t' 'NR==2{print $1}')
out=$($FB show "$id")
like "derived gender" "$out" "gender +Gender +male"
like "derived birth date" "$out" "1995-03-15"
like "platform and employer" "$out" "Meituan"

# 2. A consultation linked to the person (c on the person's record).
key c
step "consultation form with the person filled in" "王小明"
key Tab Tab
type 欠薪; key Enter Tab Tab
type 公司拖欠三个月工资; key Tab Tab Tab
type 已解答; key Enter
key C-s
step "consultation saved" "saved"
out=$($FB show "$id")
like "the person's record lists the consultation" "$out" "Consultation .*\(person\)"

# 3. Search from home.
key Escape Escape Escape Escape
step "back home" "1  Person"
key /
type 王小明; key Enter
step "search finds the rider" "Person +王小明"

# 4. An edit that shows in history.
key Enter
step "record opens" "王小明"
key e
step "edit form" "Name"
key Down Down Down
key C-u
type 13800001111; key C-s
step "edit saved" "saved"
key h
step "history screen" "History: Person"
for i in $(seq 12); do # scroll until the mobile's history is on screen
	screen_text | grep -q "138\*\*\*\*1111" && break
	key Down Down
done
screen_text > "$T/history"
like "history shows the old mobile" "$(cat "$T/history")" "139\*\*\*\*5678"
like "history shows the new mobile, marked current" "$(cat "$T/history")" "138\*\*\*\*1111"

# 5. Resize while a form is open: text kept, too-small screen, back again.
key Escape Escape Escape Escape
step "home" "1  Person"
key n
type 李四
resize 46 20
step "form redrawn at 46x20 with the typed name" "李四"
resize 20 5
step "too-small screen" "Terminal too"
resize 80 24
step "form returns with the typed name" "李四"

# 6. Quitting with unsaved changes asks first; "n" keeps the form, "y" discards.
key Escape
step "asks before losing the changes" "Discard changes"
key n
step "still in the form with the text" "李四"
key Escape
step "asks again" "Discard changes"
key y
step "back home" "1  Person"
is "nothing was saved for 李四" "$($FB search 李四 --format tsv | wc -l)" "1"
key Q
step "quit restores the shell" "FIELDBOOK-EXITED 0"
no_sanitizer_reports

# 7. A crash signal restores the terminal (alternate screen left, the TUI gone).
for sig in ABRT SEGV; do
	[ "$sig" = SEGV ] && [ -n "${FB_SANITIZED:-}" ] && continue # ASan owns SIGSEGV
	start 80 24
	step "home screen (before SIG$sig)" "1  Person"
	kill -s "$sig" "$(fb_pid)"
	step "after SIG$sig the program is gone" "FIELDBOOK-EXITED (134|139)"
	unlike "after SIG$sig the terminal left the TUI's screen" "$(screen_text)" "1  Person"
done
rm -f "$T"/asan* # the reports of the deliberate crashes

# 8. NO_COLOR: no colour escapes; without it the title bar is coloured.
start 80 24
step "home (colours allowed)" "1  Person"
like "colours are used when allowed" "$(screen_escapes)" $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;5|48;5)[0-9;]*m'
key q
START_ENV=NO_COLOR=1 start 80 24
step "home (NO_COLOR)" "1  Person"
unlike "NO_COLOR: no colour escapes" "$(screen_escapes)" $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;5|48;5)[0-9;]*m'
key q
