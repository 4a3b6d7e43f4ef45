# t_sync_converge.sh - convergence of five devices syncing in random orders and routes:
# a bare repository as HQ's remote, a USB-stick repository, bundle files, relays and
# repeats.  Thousands of random creates, edits (many of the same fields, so concurrent
# edits conflict) and deletes; afterwards every device prints the same state digest and
# the same conflicts, and every value ever saved is still in the history.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "not ok 1 - git is not installed"; exit 1; }
DEVICES=5
STEPS=${CONVERGE_STEPS:-1500}
[ -n "${FB_SANITIZED:-}" ] && STEPS=300 # the sanitizer build is several times slower
RANDOM=4242
for r in hq usb; do bare "$T/$r.git"; done
dev() { FIELDBOOK_HOME=$T/d$1 FIELDBOOK_CONFIG=$T/c$1 "$FB" "${@:2}"; }
for i in $(seq $DEVICES); do
	dev "$i" init --device-label "dev-$i" --operator "op$i" > /dev/null
	[ "$i" -le 3 ] && dev "$i" remote add hq "$T/hq.git" > /dev/null
	[ "$i" -ge 3 ] && dev "$i" remote add usb "$T/usb.git" > /dev/null
done
: > "$T/saved" # every value saved: record<TAB>field<TAB>value
: > "$T/ids"
names=(张三 李四 王伟 阿依古丽·买买提 𠀀明)
fields=(employer branch hukou)
fails=0
for step in $(seq "$STEPS"); do
	i=$((RANDOM % DEVICES + 1))
	what=$((RANDOM % 100))
	nids=$(wc -l < "$T/ids")
	if [ "$what" -lt 12 ] || [ "$nids" -lt 5 ]; then
		name=${names[RANDOM % 5]}
		if id=$(dev "$i" add person "name=$name" occupation=other 2> /dev/null); then
			echo "$id" >> "$T/ids"
			printf '%s\tname\t%s\n' "$id" "$name" >> "$T/saved"
		fi
	elif [ "$what" -lt 80 ]; then
		id=$(sed -n "$((RANDOM % nids + 1))p" "$T/ids")
		f=${fields[RANDOM % 3]}
		v="$f-$((RANDOM % 5))-值"
		# the device may not have the record yet, or it may be deleted there: fine
		dev "$i" edit "$id" "$f=$v" > /dev/null 2>&1 && printf '%s\t%s\t%s\n' "$id" "$f" "$v" >> "$T/saved"
	elif [ "$what" -lt 83 ]; then
		id=$(sed -n "$((RANDOM % nids + 1))p" "$T/ids")
		dev "$i" delete "$id" > /dev/null 2>&1
	elif [ "$what" -lt 93 ]; then
		remote=hq
		[ "$i" -ge 4 ] && remote=usb
		[ "$i" -eq 3 ] && [ $((RANDOM % 2)) -eq 0 ] && remote=usb
		dev "$i" sync "$remote" > "$T/sync.out" 2>&1 || { fails=$((fails + 1)); sed 's/^/#   /' "$T/sync.out" | head -5; }
	else
		j=$((RANDOM % DEVICES + 1))
		if dev "$i" bundle create "$T/x.bundle" > /dev/null 2>&1; then
			dev "$j" bundle read "$T/x.bundle" > "$T/sync.out" 2>&1 || { fails=$((fails + 1)); sed 's/^/#   /' "$T/sync.out" | head -5; }
		fi
	fi
done
is "every sync and bundle read succeeded during the random phase" "$fails" "0"
# Settle: device 3 relays between hq and usb; everyone syncs until nothing changes.
for round in 1 2 3; do
	for i in $(seq $DEVICES); do
		case $i in 1 | 2) dev "$i" sync > /dev/null 2>&1 ;; 3) dev 3 sync > /dev/null 2>&1 ;; *) dev "$i" sync usb > /dev/null 2>&1 ;; esac
	done
done
d1=$(dev 1 check --state-digest)
same=1
for i in $(seq 2 $DEVICES); do
	[ "$(dev "$i" check --state-digest)" = "$d1" ] || same=0
done
is "all $DEVICES devices print the same state digest" "$same" "1"
c1=$(dev 1 dump | grep -c 'conflicts=[1-9]')
samec=1
for i in $(seq 2 $DEVICES); do
	[ "$(dev "$i" dump | grep -c 'conflicts=[1-9]')" = "$c1" ] || samec=0
done
is "all devices show the same conflicts ($c1 records)" "$samec" "1"
n=$((n + 1))
if [ "$c1" -gt 0 ]; then echo "ok $n - concurrent edits made conflicts ($c1)"; else echo "not ok $n - no conflicts arose: the test did not exercise them"; fi
# every value ever saved is reachable: in the history of its record on device 1
missing=0
checked=0
while IFS=$'\t' read -r id f v; do
	checked=$((checked + 1))
	dev 1 show "$id" --history --unmasked 2> /dev/null | grep -qF -- "$v" || { missing=$((missing + 1)); echo "#   lost: $id $f $v"; }
done < <(awk 'NR % 4 == 1' "$T/saved")
is "every value saved is still in the history ($checked sampled of $(wc -l < "$T/saved"))" "$missing" "0"
ok "check passes on every device" sh -c "for i in \$(seq $DEVICES); do FIELDBOOK_HOME=$T/d\$i FIELDBOOK_CONFIG=$T/c\$i $FB check > /dev/null || exit 1; done"
for r in hq usb; do
	ok "git fsck --strict is clean on the $r repository" git -C "$T/$r.git" fsck --strict --no-progress
done
ok "git fsck --strict is clean on every device's repository" sh -c "for i in \$(seq $DEVICES); do git -C $T/d\$i/repo.git fsck --strict --no-progress || exit 1; done"
