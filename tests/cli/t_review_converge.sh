# t_review_converge.sh - resolving every conflict of a random history: three laptops edit
# and delete the same records concurrently and sync through a bare repository; one of them
# resolves every conflict the review queue lists (picking values, typing one, restoring or
# keeping deleted records); after a sync round no laptop has a conflict and all print the
# same state digest.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "not ok 1 - git is not installed"; exit 1; }
git_test_env
bare "$T/hq.git"
RANDOM=77
STEPS=${REVIEW_STEPS:-120}
dev() { FIELDBOOK_HOME=$T/d$1 FIELDBOOK_CONFIG=$T/c$1 "$FB" "${@:2}"; }
for i in 1 2 3; do
	dev "$i" init --device-label "l$i" --team "t$i" --operator "op$i" > /dev/null
	dev "$i" remote add hq "$T/hq.git" > /dev/null
done
ids=()
for k in 1 2 3 4 5 6; do ids+=("$(dev 1 add person "name=人$k" occupation=courier)"); done
for i in 1 2 3; do dev "$i" sync > /dev/null; done
dev 1 sync > /dev/null
fields=(employer branch hukou)
for step in $(seq "$STEPS"); do
	i=$((RANDOM % 3 + 1))
	id=${ids[RANDOM % 6]}
	case $((RANDOM % 25)) in
	0) dev "$i" delete "$id" > /dev/null 2>&1 ;;
	1 | 2) dev "$i" sync > /dev/null 2>&1 ;;
	*) dev "$i" edit "$id" "${fields[RANDOM % 3]}=v$((RANDOM % 4))-$i" > /dev/null 2>&1 ;;
	esac
done
for round in 1 2; do for i in 1 2 3; do dev "$i" sync > /dev/null 2>&1; done; done
before=$(dev 1 review conflicts | grep -c "^  resolve:")
n=$((n + 1))
if [ "$before" -gt 3 ]; then echo "ok $n - the random history made conflicts ($before)"
else echo "not ok $n - only $before conflicts: the test did not exercise resolving"; fi
fails=0
k=0
# first the delete/edit conflicts (listed first for their record), then the fields left
todo() {
	dev 1 review conflicts | sed -n "$1"
}
todo 's/^  resolve: fieldbook review resolve \([0-9a-f]*\) --keep-deleted.*/\1/p' > "$T/deleted"
while read -r id; do
	k=$((k + 1))
	if [ $((k % 2)) -eq 0 ]; then how=--restore; else how=--keep-deleted; fi
	dev 1 review resolve "$id" "$how" > /dev/null 2>> "$T/fails" || fails=$((fails + 1))
done < "$T/deleted"
todo 's/^  resolve: fieldbook review resolve \([0-9a-f]*\) \([a-z_]*\) --pick N.*/\1 \2/p' > "$T/fields"
while read -r id field; do
	k=$((k + 1))
	if [ $((k % 3)) -eq 0 ]; then
		dev 1 review resolve "$id" "$field" --value "新值$k" > /dev/null 2>> "$T/fails" || fails=$((fails + 1))
	else
		dev 1 review resolve "$id" "$field" --pick $((k % 2 + 1)) > /dev/null 2>> "$T/fails" || fails=$((fails + 1))
	fi
done < "$T/fields"
is "every listed conflict resolved without an error ($(wc -l < "$T/deleted") delete/edit, $(wc -l < "$T/fields") fields)" "$fails" "0"
[ -s "$T/fails" ] && sed 's/^/#   /' "$T/fails" | head -5
is "none left where they were resolved" "$(dev 1 review conflicts)" "no conflicts"
for round in 1 2; do for i in 1 2 3; do dev "$i" sync > /dev/null 2>&1; done; done
for i in 2 3; do
	is "laptop $i: no conflicts after syncing" "$(dev "$i" review conflicts)" "no conflicts"
done
d1=$(dev 1 check --state-digest)
is "all three converge" "$(dev 2 check --state-digest) $(dev 3 check --state-digest)" "$d1 $d1"
