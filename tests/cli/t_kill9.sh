# t_kill9.sh - a save acknowledged to the user survives kill -9: saves run in a loop
# while the program is killed at random moments; every acknowledged id must be there
# afterwards and the database must pass integrity and op-log checks.
. "$(dirname "$0")/lib.sh"
$FB init > /dev/null
acked=$T/acked
: > "$acked"
(
	for i in $(seq 1 300); do
		if id=$("$FB" add person "name=测试$i" occupation=other mobile=139$(printf %08d "$i")); then
			echo "$id" >> "$acked"
		fi
	done
) &
loop=$!
kills=0
deadline=$((SECONDS + 120))
while kill -0 "$loop" 2> /dev/null && [ "$SECONDS" -lt "$deadline" ]; do
	# a random moment within a save (saves take a few milliseconds)
	sleep "0.00$((RANDOM % 9 + 1))"
	if pkill -9 -f -- "$FB add person" 2> /dev/null; then kills=$((kills + 1)); fi
done
wait "$loop"
total=$(wc -l < "$acked")
ok "the loop was killed mid-save at least 10 times ($kills kills, $total saves acknowledged)" [ "$kills" -ge 10 ] 
missing=0
$FB dump > "$T/dump"
while read -r id; do
	grep -q "^record	$id	person	exists=1" "$T/dump" || missing=$((missing + 1))
done < "$acked"
is "every acknowledged save is in the database" "$missing" "0"
ok "integrity_check and op-log consistency pass after the kills" $FB check
ok "the store still accepts saves" $FB add person name=最后 occupation=other
