# t_completion.sh - bash completion (completion/fieldbook.bash) in a real bash: the script
# is sourced, COMP_LINE/COMP_POINT/COMP_WORDS/COMP_CWORD set as bash sets them, the
# function called and COMPREPLY checked; the words come from the real program
# (`fieldbook complete`, `fieldbook remote list`).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
$FB init --device-label gate-1 --operator 张静 > /dev/null

BASH_BREAKS=$' \t\n"\'><=;|&(:'
# comp LINE [WORDBREAKS]: the completions bash would offer with the cursor at the end of LINE, one a
# line, sorted ("fb" stands for the program).  COMP_WORDBREAKS as bash sets it by default.
comp() {
	local line=${1/#fb/$FB}
	bash -c '
		. "$1/completion/fieldbook.bash"
		COMP_LINE=$2 COMP_POINT=${#2}
		COMP_WORDBREAKS=${3-$COMP_WORDBREAKS}
		read -r -a COMP_WORDS <<< "$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_fieldbook
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' _ "$ROOT" "$line" "${2-$BASH_BREAKS}"
}
words() { comp "$1" | tr '\n' ' ' | sed 's/ $//'; }

ok "the script is valid bash" bash -n "$ROOT/completion/fieldbook.bash"
out=$(bash -c '. "$1/completion/fieldbook.bash"; complete -p fieldbook' _ "$ROOT")
is "registers _fieldbook for fieldbook" "$out" "complete -F _fieldbook fieldbook"

out=$(words "fb ")
like "commands: add, list, sync, bundle, help" "$out" "(^| )add .*bundle .*help .*list .*sync( |$)"
is "commands: as many as \`fieldbook complete commands\`" "$(comp "fb " | wc -l)" "$($FB complete commands | wc -l)"
is "commands: a prefix" "$(words "fb li")" "list"
is "commands: re and rem" "$(words "fb rem")" "remote"

out=$(words "fb add ")
is "add: the record kinds" "$out" "$($FB complete kinds | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
like "add: kinds include person and consultation" "$out" "consultation .*person"
is "add: a kind prefix" "$(words "fb add pe")" "person"

out=$(words "fb add person ")
like "add person: field names as FIELD=" "$out" "(^| )mobile= .*name= .*occupation="
unlike "add person: derived fields are not offered" "$out" "(^| )(gender|birth_date)="
is "add person: a field prefix" "$(words "fb add person mob")" "mobile="
out=$(words "fb add visit ")
like "add visit: the visit's own fields" "$out" "headcount="
unlike "add visit: no person fields" "$out" "occupation="

is "add person occupation=: choice codes (= breaks words: only the value)" \
	"$(words "fb add person occupation=cou")" "courier"
is "add person occupation=: whole words when = does not break words" \
	"$(comp "fb add person occupation=cou" $' \t\n' | tr '\n' ' ' | sed 's/ $//')" "occupation=courier"
like "add person name=张三 occupation=: after a Chinese value" \
	"$(words "fb add person name=张三 occupation=")" "courier .*food_delivery"
is "list person member_status=: filter values" "$(words "fb list person member_status=mem")" "member"

out=$(words "fb list person --")
like "list: its options" "$out" "--after --format --limit .*--unmasked"
is "list --format: its values" "$(words "fb list person --format t")" "table text tsv"
is "search --kind: kinds" "$(words "fb search 张三 --kind pe")" "person"
like "export: its options" "$(words "fb export person --")" "--csv"

is "remote: its sub-commands" "$(words "fb remote ")" "add list remove"
is "bundle: its sub-commands" "$(words "fb bundle ")" "create read"
like "help: commands and keys" "$(words "fb help ")" "add .*keys"
is "fields: kinds" "$(words "fb fields pers")" "person"

# Remote names, after adding two remotes.
git_test_env
bare "$T/hq.git" && bare "$T/usb.git"
$FB remote add hq "$T/hq.git" > /dev/null
$FB remote add usb-stick "$T/usb.git" > /dev/null
is "sync: remote names" "$(words "fb sync ")" "hq usb-stick"
is "sync: a remote prefix" "$(words "fb sync us")" "usb-stick"
is "remote remove: remote names" "$(words "fb remote remove ")" "hq usb-stick"
is "bundle create --for: remote names" "$(words "fb bundle create x.bundle --for ")" "hq usb-stick"

# File names where files are wanted.
mkdir -p "$T/files" && touch "$T/files/week48.bundle" "$T/files/名单.csv"
is "bundle read FILE: file names" "$(words "fb bundle read $T/files/we")" "$T/files/week48.bundle"
is "import KIND FILE: file names, Chinese too" "$(words "fb import person $T/files/名")" "$T/files/名单.csv"

# Language does not matter: codes, never labels.
is "LANGUAGE=zh_CN: still codes" "$(LANGUAGE=zh_CN words "fb add person occupation=cou")" "courier"

# The complete command itself.
is "complete with an unknown kind prints nothing and succeeds" \
	"$($FB complete fields nosuch; echo "rc=$?")" "rc=0"
is "complete without a word is a usage error (exit 2)" "$(status "$FB" complete)" "2"
like "complete options review: options from the usage line" "$($FB complete options review | tr '\n' ' ')" "--pick .*--value"
unlike "complete words report: option values are no words" "$($FB complete words report | tr '\n' ' ')" "team|csv"

echo "1..$n"
