# t_text.sh - Chinese text on every command-line path: rare characters, the name
# separator, full-width input, column alignment, invalid bytes.
. "$(dirname "$0")/lib.sh"
$FB init > /dev/null

id=$($FB add person name='𠀀明·阿依' mobile='１３９１２３４５６７８' occupation=other)
like "full-width mobile normalised" "$($FB show $id --unmasked)" "13912345678"
like "CJK Ext-B name survives saving and show" "$($FB show $id)" "𠀀明·阿依"
like "... and search" "$($FB search 𠀀明)" "^$id"
id2=$($FB add person name='买买提•艾力' occupation=other)
like "look-alike separator stored as U+00B7" "$($FB show $id2)" "买买提·艾力"
like "search with either separator" "$($FB search '买买提・艾力')" "^$id2"
id3=$($FB add person 'name=张 伟' 'id_number=１１０１０５１９４９１２３１００２ｘ' occupation=other)
like "full-width ID with lower-case x accepted" "$($FB show $id3 --unmasked)" "11010519491231002X"
$FB add person name=欧阳娜娜娜娜娜娜娜娜娜娜娜娜 occupation=other > /dev/null
out=$($FB list person)
ok "table rows are cut by columns, never splitting a wide character" sh -c '
	printf "%s\n" "$1" | while IFS= read -r line; do
		w=$(printf "%s" "$line" | python3 -c "import sys,unicodedata as u;s=sys.stdin.read();print(sum(2 if u.east_asian_width(c) in \"WF\" else 1 for c in s))")
		[ "$w" -le 100 ] || exit 1
	done' _ "$out"
like "a long name is cut at its column width" "$out" "欧阳娜娜娜娜 "
is "invalid UTF-8 in a value is refused" "$(status $FB add person "$(printf 'name=\xff\xfe')" occupation=other)" "1"
like "... naming the field" "$(cat "$T/err")" "name"
