# t_tui_forms.sh - forms, pickers, filters and text editing in the headless TUI:
# editing by characters (Han and CJK Ext-B), full-width digits, duplicate warnings,
# inline validation, status and date filters, notes, conflicts, ASCII drawing.
. "$(dirname "$0")/lib.sh"
$FB init --device-label gate-1 --operator 张静 > /dev/null
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00
p=$($FB add person name=张三 id_number=11010519491231002X mobile=13912345678 occupation=外卖骑手)
screen() { $FB screen "$@"; }

# Editing by characters: Left moves over a whole character, Backspace removes one.
out=$(screen --keys 'n张𠀀三<Left><Backspace><Dump>')
like "Backspace removes the whole CJK Ext-B character before the cursor" "$out" "张三"
like "the cursor sits after 张 (column of the name field + 2)" "$(printf '%s\n' "$out" | head -1)" "cursor 1,"
out=$(screen --keys 'n阿依古丽•买买提<Tab><Tab><Tab>１３８００１３８０００<Tab>other<Enter><C-s>')
like "look-alike separator typed in the form is saved as ·" "$($FB search 买买提)" "阿依古丽·买买提"
like "full-width digits in the mobile are normalised" "$($FB list person --unmasked --format tsv)" "13800138000"
long=$(printf '很长的名字%.0s' $(seq 8))
out=$(screen --size 46x20 --keys "n${long}<Dump>")
ok "a long name scrolls by columns: every row is 46 columns" python3 -c '
import sys, unicodedata
rows = [r for r in sys.argv[1].split("\n") if r and not r.startswith("--- screen")]
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
sys.exit(1 if [r for r in rows if w(r) != 46] else 0)' "$out"
like "the end of a long name is visible while typing" "$out" "的名字 *$|的名字 "

# Inline validation when leaving a field, and the duplicate warning.
out=$(screen --keys 'n李四<Tab><Tab>110101200001010011<Tab><Dump>')
like "a mistyped ID number is flagged when leaving the field" "$out" "check character should be 0"
out=$(screen --keys 'n李四<Tab><Tab>11010519491231002x<Tab><Dump>')
like "an ID number already registered is reported at once" "$out" "already registered: 张三"
out=$(screen --keys 'n李四<Tab><Tab><Tab>139 1234 5678<Tab><Dump>')
like "a mobile already registered is reported at once" "$out" "already registered: 张三"
out=$(screen --keys 'n李四<Tab><Tab>11010519491231002x<Tab><F3>y<Dump>')
like "F3 opens the registered person instead" "$out" "Person +张三|张三 +${p}|${p}"
out=$(screen --keys 'n李四<C-s><Dump>')
like "saving without a required field names it" "$out" "Occupation.*required|required"

# Lists: status and date filters.
v1=$($FB add visit type=送清凉 date=2026-07-15 site=工业园 team=一队 status=done)
v2=$($FB add visit type=新春送福 date=2026-01-20 site=物流园 team=一队)
out=$(screen --keys '2s完成<Enter><Dump>')
like "status filter keeps done visits" "$out" "status: done|已完成|done"
unlike "status filter drops planned visits" "$(printf '%s\n' "$out" | sed -n '3,20p')" "${v2:0:8}"
out=$(screen --keys '2d2026-01<Enter><Dump>')
like "date filter by month" "$out" "${v2:0:8}"
unlike "date filter drops other months" "$out" "${v1:0:8}"
out=$(screen --keys '2d2026-13<Enter>')
like "a bad month is explained" "$out" "date filter"

# Notes from the record screen.
out=$(screen --keys "/张三<Enter><Enter>a第一次走访记录<Enter><Dump>")
like "a note added on the record screen shows there" "$out" "第一次走访记录"
like "and is saved" "$($FB show $p)" "Note .*第一次走访记录"

# ASCII drawing when the locale is not UTF-8.
out=$(LC_ALL=C $FB screen --keys '<Enter>' 2> "$T/err")
like "non-UTF-8 locale: a warning" "$(cat "$T/err")" "not UTF-8"
unlike "non-UTF-8 locale: no multi-byte characters drawn" "$out" "张"
like "non-UTF-8 locale: Han characters drawn as ?" "$out" "\?\?\?\?"
