# t_tui_sync.sh - the TUI sync screen driven headless (fieldbook screen): S on the home
# screen lists the remotes of the configuration file, Enter syncs and shows the outcome
# in plain words, the home counts and the status bar show the new data afterwards, the
# other device sees the record after its own command-line sync; b writes a bundle file
# (default ~/fieldbook-<device label>-<date>.bundle) and r reads one; errors in plain words.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "1..0 # SKIP git not installed"; exit 0; }
export GIT_CONFIG_NOSYSTEM=1 HOME=$T
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00
on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
git init -q --bare "$T/usb.git"
for d in a b; do
	on $d
	$FB init --device-label $d --operator op-$d > /dev/null
	$FB remote add usb "$T/usb.git" > /dev/null
done

on a
out=$($FB screen --keys 'S<Dump>')
like "S opens the sync screen" "$out" "^Sync "
like "... listing the remote" "$out" "^ usb +$T/usb.git"
like "... with the keys" "$out" "Enter sync  b write a bundle  r read a bundle"
like "the home screen hints at S" "$($FB screen --keys '')" "S sync"
$FB add site name=爱心驿站 type=爱心驿站 > /dev/null
like "before: unsynced changes in the status bar" "$($FB screen --keys '')" "unsynced [1-9][0-9]* \|"
out=$($FB screen --keys 'S<Enter><Dump>')
like "Enter syncs and shows the outcome in plain words" "$out" "synced with usb: pushed [1-9][0-9]* changes, received 0 from 0 devices, 0 new conflicts"
like "... the status bar shows nothing unsynced" "$out" "op-a @ a \| unsynced 0 \|"
on b
ok "the other device syncs on the command line" $FB sync
like "... and sees the record" "$($FB list site)" "爱心驿站"
$FB add site name=暖心之家 type=爱心驿站 > /dev/null
$FB sync > /dev/null
on a
out=$($FB screen --keys 'S<Enter><Dump><Esc>')
like "a TUI sync receives b's record" "$out" "received [1-9][0-9]* from 1 device, 0 new conflicts"
like "... and back home the count shows it" "$(printf '%s\n' "$out" | tail -n 24)" "8  Site +2 "
is "... the two devices hold the same state" "$($FB check --state-digest)" "$(FIELDBOOK_HOME=$T/b $FB check --state-digest)"

# ---- bundle files from the screen ----
out=$($FB screen --keys 'Sb<Dump>')
like "b asks for a path, ~/fieldbook-<label>-<date>.bundle by default" "$out" "Write a bundle to: ~/fieldbook-a-2026-11-29.bundle"
out=$($FB screen --keys 'Sb<Enter><Dump>')
like "... Enter writes it" "$out" "wrote $T/fieldbook-a-2026-11-29.bundle: the data of 2 devices"
ok "... the file is there and git accepts it" git -C "$T/usb.git" bundle verify "$T/fieldbook-a-2026-11-29.bundle"
on c
$FB init --device-label c > /dev/null
out=$($FB screen --keys "Sr$T/fieldbook-a-2026-11-29.bundle<Enter><Dump>")
like "with no remotes the screen says how to add one" "$out" "No remotes yet"
like "r reads a bundle" "$out" "read $T/fieldbook-a-2026-11-29.bundle: received [1-9][0-9]* changes from 2"
is "... and c holds the same state" "$($FB check --state-digest)" "$(FIELDBOOK_HOME=$T/a $FB check --state-digest)"
out=$($FB screen --keys "Sr$T/nothing.bundle<Enter><Dump>")
like "a missing bundle file: the error in plain words" "$out" "cannot read $T/nothing.bundle"
out=$($FB screen --keys 'S<Enter><Dump>')
like "Enter with no remotes says what to do" "$out" "no remotes to sync with"

on a
$FB remote add gone "$T/gone.git" > /dev/null
out=$($FB screen --keys 'S<Dump>')
like "two remotes: a first line for every remote" "$out" "every remote \(2\)"
out=$($FB screen --keys 'S<Enter><Dump>')
like "syncing every remote: the good one syncs" "$out" "synced with usb"
like "... the missing one fails in plain words" "$out" "sync with gone failed: the remote gone is not there"
out=$($FB screen --keys 'Sjj<Enter><Dump>')
like "Down, Down, Enter: only the second remote" "$out" "sync with gone failed"
unlike "... not the first" "$out" "synced with usb"
like "the help lists the sync screen's keys" "$($FB help keys | sed -n '/^Sync/,$p')" "b +write a bundle file"
echo "1..$n"
