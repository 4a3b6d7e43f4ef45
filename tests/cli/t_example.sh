# t_example.sh - the issue's example works as written, plus init and identity basics.
. "$(dirname "$0")/lib.sh"

out=$($FB init --device-label gate-1 --team 中山港 --operator 张静)
like "init reports the device, team and operator" "$out" "gate-1.*中山港.*张静"
is "data directory is owner-only" "$(stat -c %a "$FIELDBOOK_HOME")" "700"
is "database file is owner-only" "$(stat -c %a "$FIELDBOOK_HOME/fieldbook.db")" "600"
is "state file is owner-only" "$(stat -c %a "$FIELDBOOK_HOME/fieldbook-state.db")" "600"
is "init twice is refused" "$(status $FB init)" "1"
like "init twice says it is already set up" "$(cat "$T/err")" "already set up"

id=$($FB add person name=张三 id_number=11010519491231002X mobile='+86 139-1234-5678' occupation=外卖骑手 platforms=美团)
like "add prints the new id" "$id" '^[0-9a-f]{16}$'
out=$($FB show "$id")
like "show: birth date derived" "$out" "birth_date +Birth date +1949-12-31"
like "show: gender derived (sequence 002 is even: female, GB 11643)" "$out" "gender +Gender +female"
like "show: mobile masked" "$out" "139\*\*\*\*5678"
like "show: ID masked (first 3 + last 4)" "$out" '110\*{11}002X'
unlike "show: no full ID without --unmasked" "$out" "11010519491231002X"
out=$(LANGUAGE=zh_CN $FB show "$id")
like "show in Chinese: 性别 女, 出生日期" "$out" "性别 +女"
like "show in Chinese: occupation label" "$out" "外卖骑手"
out=$($FB show "$id" --unmasked)
like "show --unmasked gives the full values" "$out" "11010519491231002X.*|13912345678"

is "a mistyped ID number exits 1" "$(status $FB add person name=李四 id_number=110101200001010011 occupation=快递员)" "1"
like "the message names the check character" "$(cat "$T/err")" "id_number: check character should be 0"
like "and says nothing was saved" "$(cat "$T/err")" "nothing was saved"
is "nothing was saved" "$($FB list person --format tsv | wc -l)" "2"

out=$($FB search 张三)
like "search finds 张三 by name" "$out" "^$id +Person +张三 +name"
out=$($FB search 5678)
like "search by the last 4 digits of the mobile" "$out" "^$id .*mobile"
out=$($FB search 11010519491231002x)
like "search by ID number, lower-case x" "$out" "^$id .*id_number"
ok "--version names the libraries" sh -c "$FB --version | grep -E 'SQLite .*zlib .*libgit2'"
