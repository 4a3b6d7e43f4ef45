# t_import.sh - `fieldbook import KIND FILE.csv`: an Excel-style roster (BOM, CRLF,
# Chinese headers), a GBK file refused with the line, rejected rows reported with line,
# field and reason, --all-or-nothing, --dry-run, people matched by ID number (legacy
# 15-digit numbers upgraded), and an unmasked export imported into a second data
# directory giving the same table back.
. "$(dirname "$0")/lib.sh"
$FB init --device-label t --team 一队 --operator 张静 > /dev/null
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00

printf '\xef\xbb\xbf姓名,证件号码,手机号,职业,用工单位,平台\r\n张三,11010519491231002X,139 1234 5678,快递员,"速达,快递",美团、饿了么\r\n李四,440524188001010014,,外卖骑手,,\r\n,,,,,\r\n' > "$T/roster.csv"
ok "import an Excel-style roster" $FB import person "$T/roster.csv"
like "summary counts the rows" "$(cat "$T/out")" "2 rows: 2 added, 0 matched"
out=$($FB list person --format tsv --unmasked)
like "张三 is there with a normalised mobile" "$out" "张三	11010519491231002X	13912345678"
like "the employer with its comma" "$out" "速达,快递"

# the same people again, one by a legacy 15-digit number, plus bad rows
cat > "$T/bad.csv" <<'EOF'
name,id_number,mobile,occupation,employer
张三,110105491231002,,courier,新公司
王五,,12012345678,courier,
"赵
六",,,courier,
孙七,,,,
周八,,13800000000,courier,
EOF
is "rows rejected: exit 1" "$(status $FB import person "$T/bad.csv")" "1"
err=$(cat "$T/err")
like "bad mobile reported with line and field" "$err" "line 3: mobile: "
like "line break in a name: the line where the row starts" "$err" "line 4: name: "
like "missing occupation: line 6 (after the two-line row)" "$err" "line 6: occupation: .*required"
like "summary" "$(cat "$T/out")" "5 rows: 1 added, 1 matched people already present \(0 filled empty fields, 1 differing values kept\), 3 rejected"
like "the legacy number was upgraded" "$(cat "$T/out")" "1 legacy 15-digit ID numbers were upgraded"
is "no duplicate 张三" "$($FB list person --format tsv | grep -c 张三)" "1"
like "张三's employer is kept" "$($FB list person --format tsv)" "张三	.*速达,快递"

printf 'name,occupation\n甲,courier\n乙,nope\n' > "$T/aon.csv"
is "--all-or-nothing with a bad row: exit 1" "$(status $FB import person "$T/aon.csv" --all-or-nothing)" "1"
like "says nothing was imported" "$(cat "$T/out")" "nothing was imported"
unlike "甲 not saved" "$($FB list person --format tsv)" "甲"
printf 'name,occupation\n甲,courier\n' > "$T/one.csv"
ok "--dry-run" $FB import person "$T/one.csv" --dry-run
like "dry run says so" "$(cat "$T/out")" "1 added.*
dry run: nothing was saved"
unlike "甲 still not saved" "$($FB list person --format tsv)" "甲"

printf '姓名,职业\n\xd5\xc5\xc8\xfd,courier\n' > "$T/gbk.csv"
is "a GBK file: exit 1" "$(status $FB import person "$T/gbk.csv")" "1"
like "names the line and says to save as UTF-8" "$(cat "$T/err")" "line 2 is not UTF-8.*CSV UTF-8"
if command -v iconv > /dev/null; then
	printf '姓名,职业\n张三,快递员\n' | iconv -f UTF-8 -t GBK > "$T/gbk2.csv"
	is "a real GBK roster is refused too" "$(status $FB import person "$T/gbk2.csv")" "1"
fi
printf 'name,nickname\nx,y\n' > "$T/unknown.csv"
is "unknown column: exit 1" "$(status $FB import person "$T/unknown.csv")" "1"
like "names the column and the fix" "$(cat "$T/err")" "column 2, 'nickname', is not a field of person"
is "no file: exit 1" "$(status $FB import person "$T/nope.csv")" "1"
is "no kind: usage" "$(status $FB import)" "2"
is "unknown option: usage" "$(status $FB import person "$T/one.csv" --bogus)" "2"

# an unmasked export imported into another data directory gives the same table
$FB add person name='=1+1' occupation=other employer='他说"好"' branch=0071 > /dev/null
ok "export unmasked" $FB export person --unmasked --csv "$T/all.csv"
FIELDBOOK_HOME=$T/data2 $FB init --operator 王 > /dev/null
ok "import the export elsewhere" env FIELDBOOK_HOME="$T/data2" $FB import person "$T/all.csv"
like "every row added" "$(cat "$T/out")" "4 rows: 4 added"
ok "export again there" env FIELDBOOK_HOME="$T/data2" $FB export person --unmasked --csv "$T/all2.csv"
# compare without the record id column, sorted (the update times differ)
strip() { python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1],encoding="utf-8-sig",newline=""))); print("\n".join(sorted("|".join(r[1:]) for r in rows[1:])))' "$1"; }
is "same table after the round trip" "$(strip "$T/all2.csv")" "$(strip "$T/all.csv")"
# ---- privacy mode: ID numbers are sealed, people are still matched (keyed tag)
unset XDG_RUNTIME_DIR FIELDBOOK_PASSPHRASE_FILE
printf '%s\n' "导入测试的口令-2026" > "$T/coord.pass"
chmod 600 "$T/coord.pass"
export FIELDBOOK_HOME=$T/priv FIELDBOOK_CONFIG=$T/priv.config
$FB init --device-label p --operator 王协调 > /dev/null
env FIELDBOOK_PASSPHRASE_FILE="$T/coord.pass" $FB key create > /dev/null
export FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass
ok "privacy mode: import the roster" $FB import person "$T/roster.csv"
ok "... again" $FB import person "$T/roster.csv"
like "... every person matched by the sealed ID number" "$(cat "$T/out")" "2 rows: 0 added, 2 matched"
is "two people, not four" "$($FB list person --format tsv | tail -n +2 | wc -l)" "2"
unlike "the ID number is sealed in the database" "$(sqlite3 "$T/priv/fieldbook.db" "SELECT value FROM op WHERE field = 'id_number'")" "11010519491231002X"
unset FIELDBOOK_PASSPHRASE_FILE
export FIELDBOOK_HOME=$T/data FIELDBOOK_CONFIG=$T/config

ok "help import" $FB help import
echo "1..$n"
