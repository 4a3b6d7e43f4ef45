# t_tui_headless.sh - the real TUI driven by key scripts, screens dumped cell by cell
# (fieldbook screen) at 80x24, 46x20 and 20x5, with Chinese data and resizes.
. "$(dirname "$0")/lib.sh"
$FB init --device-label gate-1 --operator 张静 > /dev/null
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00
p=$($FB add person name=张三 id_number=11010519491231002X mobile=13912345678 occupation=外卖骑手 platforms=美团 employer=顺达配送有限公司)
$FB add person name='阿依古丽·买买提' occupation=courier mobile=13800005678 > /dev/null
$FB add person name='𠀀明' occupation=other > /dev/null
$FB add person name=欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜 occupation=other employer=一家名字非常非常非常非常长的配送公司 > /dev/null
c=$($FB add consultation person=$p topics=欠薪 summary=拖欠三个月工资 outcome=answered)
screen() { $FB screen "$@"; }

out=$(screen --size 80x24 --keys '')
like "home: the kinds with counts" "$out" "1  Person +4"
like "home: status bar with operator, device, unsynced changes, conflicts" "$out" "张静 @ gate-1 \| unsynced [0-9]+ \| conflicts 0"
like "home: key hints from the action table" "$out" "n sign up"
is "home: 24 rows dumped" "$(printf '%s\n' "$out" | tail -n +2 | wc -l)" "24"

out=$(screen --size 80x24 --keys '<Enter>')
like "list: masked mobile" "$out" "139\*\*\*\*5678"
like "list: masked ID number" "$out" '110\*{11}002X'
unlike "list: never the full ID" "$out" "11010519491231002X"
like "list: CJK Ext-B name drawn" "$out" "𠀀明"
like "list: the name separator survives, cut by columns before a wide character" "$out" "阿依古丽·买  "
ok "list: every row is exactly 80 columns (wide characters never split)" python3 -c '
import sys, unicodedata
rows = sys.argv[1].split("\n")[1:]
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
bad = [r for r in rows if r and w(r) != 80]
sys.exit(1 if bad else 0)' "$out"

out=$(screen --size 46x20 --keys '<Enter>')
ok "list at 46x20: every row is 46 columns" python3 -c '
import sys, unicodedata
rows = sys.argv[1].split("\n")[1:]
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
sys.exit(1 if [r for r in rows if r and w(r) != 46] else 0)' "$out"
like "list at 46x20: names cut by columns" "$out" "欧阳娜娜"

out=$(screen --size 80x24 --keys '/张三<Enter>')
like "search from home: a two-character name" "$out" "Search: 张三"
like "search result row" "$out" "${p:0:8} +Person +张三"
out=$(screen --size 80x24 --keys '/5678<Enter>')
like "search by the last 4 digits of a mobile" "$out" "阿依古丽·买买提"

out=$(screen --size 80x24 --keys '<Enter><Resize 20x5><Dump><Resize 80x24>')
like "too small: says so" "$out" "Terminal too small"
like "too small: the screen is 20 columns" "$out" "--- screen 20x5"
like "after growing again the list returns" "$(printf '%s\n' "$out" | sed -n '/--- screen 80x24/,$p')" "Person \(page 1\)"

out=$(screen --size 80x24 --keys '?')
like "help screen from the action table" "$out" "fieldbook - keys"
like "help lists the save key" "$out" "show the keys"
out=$(screen --size 80x24 --keys '<F1><PgDn><PgDn><PgDn><PgDn><PgDn>')
like "help scrolls to its end" "$out" "clear the field"

# Stored data from elsewhere may hold invalid UTF-8 or control characters (fault injection).
bad=$($FB add person name=坏字 occupation=other employer=好公司)
sqlite3 "$FIELDBOOK_HOME/fieldbook-state.db" "UPDATE field SET value = CAST(X'e59d8fffe5ad97' AS TEXT) WHERE rec = '$bad' AND name = 'name';
	UPDATE field SET value = CAST(X'e5a5bd07e585ace58fb8' AS TEXT) WHERE rec = '$bad' AND name = 'employer';"
out=$(screen --size 80x24 --keys '<Enter>')
like "an invalid byte is drawn as U+FFFD, never a blank row" "$out" "坏�字"
like "a control character is drawn as U+FFFD" "$out" "好� "

is "a malformed key script is a usage error" "$(status $FB screen --keys '<Nope>')" "2"
like "... naming the key" "$(cat "$T/err")" "Nope"
out=$(screen --size 80x24 --keys 'Q')
is "Q quits: nothing is dumped after quitting" "$out" ""
