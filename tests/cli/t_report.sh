#!/usr/bin/env bash
# t_report.sh - `fieldbook report` (text in English and Chinese, CSV, periods, errors) and
# the TUI report screen headless, on records added through the real program; the figures
# are checked against sqlite3 queries over the store file (tests layer).
. "$(dirname "$0")/lib.sh"
db=$FIELDBOOK_HOME/fieldbook.db
q() { # q SQL: one value from the store (the derived tables may be in a second file)
	if [ -f "$FIELDBOOK_HOME/fieldbook-state.db" ]; then
		sqlite3 -readonly "$db" "ATTACH '$FIELDBOOK_HOME/fieldbook-state.db' AS state; $1"
	else sqlite3 -readonly "$db" "$1"; fi
}
add() { local now=$1; shift; FIELDBOOK_NOW=$now $FB add "$@"; }

$FB init --device-label gate-1 --team 中山港 --operator 张静 > /dev/null
# 2024: one member; 2025: three members (one later merged away), one deleted
add 2024-03-01 person name=王一 occupation=courier member_status=member > /dev/null
a=$(add 2025-02-03 person name=张三 occupation=外卖骑手 member_status=member relation=flexible)
b=$(add 2025-03-05 person name=张三 occupation=快递员 member_status=member joined_on=2025-03-04)
c=$(add 2025-04-05 person name=李四 occupation=保安 member_status=member)
add 2025-04-06 person name=赵六 occupation=保安 member_status=non_member > /dev/null
add 2025-08-01 person name=钱七 occupation=domestic member_status=retained > /dev/null
FIELDBOOK_NOW=2025-05-01 $FB edit "$b" merged_into="$a" > /dev/null
FIELDBOOK_NOW=2025-05-01 $FB delete "$c" > /dev/null
add 2025-02-10 visit type=新春送福 date=2025-02-01 site=火炬园区 team=中山港 headcount=300 'items=礼包×300@25' cost=7500 > /dev/null
add 2024-02-10 visit type=new_year date=2024-02-02 site=火炬园区 team=东区 headcount=120 > /dev/null
add 2025-03-01 consultation person="$b" topics=欠薪,工伤 summary=拖欠 outcome=answered date=2025-03-01 claimed=1200 > /dev/null
add 2025-03-02 case case_no=C1 applicants="$a" respondent=某公司 received_at=2025-03-01 dispute_types=wage_arrears status=mediating recovered=960000 > /dev/null
add 2025-06-01 request requester="$a" service=体检 status=rated rating=4 > /dev/null
add 2025-06-02 request requester="$a" service=体检 status=ordered > /dev/null
add 2025-06-03 demand collected_by=代表 affected=30 categories=wages description=冬装 status=closed > /dev/null
add 2025-07-01 assistance person="$a" type=medical amount=7000 reason=手术 paid_on=2025-07-03 status=paid > /dev/null

out=$($FB report --year 2025)
like "English text report names the periods" "$out" '^Report 2025-01-01 to 2025-12-31, against 2024-01-01 to 2024-12-31'
like "new members: 2 against 1, +1, +100.0 % (merged and deleted people not counted)" "$out" '^  New members +2 +1 +\+1 +\+100\.0 %$'
want=$(q "SELECT count(*) FROM record r WHERE kind='person' AND live=1 AND status IN ('member','retained') AND coalesce((SELECT value FROM field WHERE rec=r.id AND name='joined_on'), date((created_hlc>>16)/1000,'unixepoch','localtime')) BETWEEN '2025-01-01' AND '2025-12-31'")
is "sqlite3 agrees on the new members" "$want" 2
like "money in yuan" "$out" 'Amount recovered in cases +¥960,000\.00'
like "open case past the 15-day clock" "$out" 'Open cases past the 15-day clock +1 '
like "delivery rate: 1 of 2 requests" "$out" 'Delivery rate +50\.0 %'
like "average rating" "$out" 'Average rating +4\.00'
like "closure rate" "$out" 'Closure rate +100\.0 %'
like "grants paid" "$out" 'Amount paid +¥7,000\.00'
like "items handed out by name" "$out" '    礼包 +300 +0 '
like "Chinese key labels line up by columns" "$out" '^    food delivery rider +1 '

out=$($FB report --year 2025 --by team,site,occupation,kind)
like "--by team" "$out" '    中山港 +1 +0 '
like "--by kind summary" "$out" '    Hardship assistance +1 +0 '
like "--by occupation: the consultation of the merged duplicate counts under the survivor" "$out" 'Consultations by occupation'

out=$(LANGUAGE=zh_CN $FB report --year 2025)
like "Chinese labels" "$out" '^  新入会会员 +2 +1 '
like "Chinese choice labels" "$out" '^    外卖骑手 +1 '
like "Chinese title" "$out" '^报表 2025-01-01 至 2025-12-31'
like "Chinese column heads" "$out" '^会员发展 +本期 +上期 +变化 +增长率$'

w1=$(printf '%s\n' "$out" | grep '^  新入会会员 ' | head -1)
w2=$(printf '%s\n' "$out" | grep '^  法律咨询 ' | head -1)
is "rows line up by terminal columns" "$(printf '%s' "$w1" | wc -L)" "$(printf '%s' "$w2" | wc -L)"

$FB report --quarter 2025Q1 --format csv > "$T/r.csv"
is "CSV starts with a UTF-8 BOM" "$(head -c 3 "$T/r.csv" | od -An -tx1 | tr -d ' ')" efbbbf
is "CSV lines end with CRLF" "$(head -1 "$T/r.csv" | tail -c 2 | od -An -tx1 | tr -d ' ')" 0d0a
like "CSV header" "$(head -1 "$T/r.csv")" '^.*section,metric,key,label,period_from,period_to,current,previous,change,growth_percent'
like "CSV money in yuan" "$(cat "$T/r.csv")" 'legal,cases_recovered,,Amount recovered in cases,2025-01-01,2025-03-31,960000\.00,0\.00,960000\.00,'
like "CSV new members against the previous quarter" "$(cat "$T/r.csv")" 'members,new_members,,New members,2025-01-01,2025-03-31,1,0,1,'

is "--month 2025-13 is a usage error" "$(status $FB report --month 2025-13)" 2
like "... naming the fix" "$(cat "$T/err")" "write it as 2026-03"
is "--from without --to" "$(status $FB report --from 2025-01-01)" 2
is "two periods" "$(status $FB report --year 2025 --month 2025-01)" 2
is "--by nonsense" "$(status $FB report --by colour)" 2
is "--from/--to works" "$(status $FB report --from 2025-03-01 --to 2025-03-31)" 0
like "help lists report" "$($FB help)" 'report +the period report'

# the TUI report screen, headless: r on the home screen, Left to 2024, back to 2025
scr=$(FIELDBOOK_NOW=2025-08-01 $FB screen --size 80x24 --keys 'r<Dump><Left><Dump><Right><Esc>')
like "TUI: r opens the report of this year" "$scr" 'Report 2025-01-01 to 2025-12-31, against 2024-01-01 to 2024-12-31'
like "TUI: bar charts of block characters" "$scr" '    Person +█+ 2 \(1\)'
like "TUI: Left shows the previous year" "$scr" 'Report 2024-01-01 to 2024-12-31'
scr=$(FIELDBOOK_NOW=2025-08-01 $FB screen --size 80x24 --keys 'rt<PgDn><PgDn><PgDn><Dump>')
like "TUI: t switches to months" "$scr" 'Report 2025-01-01 to 2025-01-31, against 2024-12-01 to 2024-12-31'
scr=$(FIELDBOOK_NOW=2025-08-01 $FB screen --size 80x24 --keys 'r<PgDn>')
like "TUI: monthly trend" "$scr" '    2025-02 +█+ 1 \(0\)'
scr=$(LANGUAGE=zh_CN FIELDBOOK_NOW=2025-08-01 $FB screen --size 80x24 --keys 'r')
like "TUI in Chinese" "$scr" '会员发展'
like "TUI in Chinese: choice labels and bars" "$scr" '    外卖骑手 +█+ 1 \(0\)'
scr=$(FIELDBOOK_NOW=2025-08-01 $FB screen --size 40x10 --keys 'r')
like "TUI report at 40x10" "$scr" 'Summary'
scr=$(LC_ALL=C FIELDBOOK_NOW=2025-08-01 $FB screen --size 60x12 --keys 'r' 2> /dev/null)
like "TUI report without UTF-8: bars of #" "$scr" '    Person +#+ 2 \(1\)'
echo "1..$n"
