# t_privacy_tui.sh - privacy in the terminal interface: the reveal key asks a reason,
# writes the audit trail and shows only what the role may see; the lock key and the idle
# lock wipe the key and cover the screen until a passphrase is typed; a wrong passphrase
# gives nothing; another operator unlocking starts from the home screen.  Headless
# (fieldbook screen) and in a real terminal (tmux: the passphrase prompt, the idle lock).
. "$(dirname "$0")/lib.sh"
unset XDG_RUNTIME_DIR FIELDBOOK_PASSPHRASE_FILE
printf 'coordinator pass 1\n' > "$T/c"
printf 'field pass 22\n' > "$T/f"
chmod 600 "$T/c" "$T/f"
$FB init --device-label a --operator 王协调 > /dev/null
export FIELDBOOK_PASSPHRASE_FILE=$T/c
$FB key create > /dev/null
$FB key add-operator 李外展 --role field --passphrase-file "$T/f" > /dev/null
p=$($FB add person name=张三 id_number=11010519491231002X mobile=13912345678 occupation=courier)
c=$($FB add consultation person=$p topics=wage_arrears summary=老板拖欠工资三个月 outcome=answered)
scr() { $FB screen --size 80x24 --keys "$1"; }
dump_n() { printf '%s\n' "$out" | awk -v n="$1" '/^--- screen/ { k++ } k == n'; } # the Nth screen

out=$(scr '/张三<Enter><Enter><Dump>v<Dump><Esc><Dump>v核对身份<Enter>')
like "the record screen masks the ID number" "$(dump_n 1)" "110\*+002X"
like "the reveal key asks why" "$(dump_n 2)" "Why do you need the full values"
unlike "Esc at the question reveals nothing" "$(dump_n 3)" "11010519491231002X"
like "with a reason the coordinator sees the full ID number" "$(dump_n 4)" "11010519491231002X"
like "... and is told it is audited" "$(dump_n 4)" "written to the audit trail"
audit=$($FB list audit --format tsv)
like "one audit entry per revealed field: id_number" "$audit" "reveal	$p	id_number"
like "... and mobile" "$audit" "reveal	$p	mobile"
is "Esc at the question wrote nothing (2 entries)" "$(printf '%s\n' "$audit" | sed 1d | wc -l | tr -d ' ')" 2

export FIELDBOOK_PASSPHRASE_FILE=$T/f
out=$(scr '/张三<Enter><Enter>v回访<Enter>')
like "the field role: the ID number stays masked after reveal" "$out" "ID number  110\*+002X"
like "... the mobile is shown" "$out" "13912345678"
like "... and says some fields stay masked" "$out" "some fields stay masked"
out=$(scr "/$c<Enter><Enter>v看看<Enter>")
unlike "the field role never sees a consultation summary" "$out" "老板拖欠"
out=$(scr '/张三<Enter><Enter>h<Dump>v')
like "the history screen reveals only after the record screen did" "$out" "Reveal on the record screen first"

out=$(scr '/张三<Enter><Enter>L<Dump>wrong<Enter><Dump>field pass 22<Enter>')
like "the lock key covers the screen" "$(dump_n 1)" "fieldbook: locked"
unlike "... nothing of the record shows" "$(dump_n 1)" "张三|13912345678"
like "a wrong passphrase is refused" "$(dump_n 2)" "wrong passphrase"
unlike "... and unlocks nothing" "$(dump_n 2)" "张三"
like "the passphrase unlocks and the record returns" "$(dump_n 3)" "Person  张三"
out=$(scr '/张三<Enter><Enter>L<Dump>coordinator pass 1<Enter>')
like "another operator unlocking starts from the home screen" "$(dump_n 2)" "unlocked as 王协调 \(coordinator\)"
unlike "... with nothing of the previous operator's screens" "$(dump_n 2)" "Person  张三"

# a real terminal: the passphrase prompt before the interface, and the idle lock
if command -v tmux > /dev/null; then
	. "$(dirname "$0")/tmux.sh"
	unset FIELDBOOK_PASSPHRASE_FILE
	printf '[lock]\nidle = 2\n' > "$FIELDBOOK_CONFIG"
	start 80 24
	step "the terminal interface asks the passphrase first" "fieldbook passphrase:"
	type "field pass 22"; key Enter
	step "then opens the home screen" "1  Person"
	step "after lock.idle seconds without a key it locks" "fieldbook: locked" 8
	type "field pass 22"; key Enter
	step "the passphrase unlocks it again" "unlocked as 李外展" 5
	key Q
	step "quit" "FIELDBOOK-EXITED 0"
	no_sanitizer_reports
fi
echo "1..$n"
