# t_records.sh - every record kind from the command line, edits, history, deletes,
# lists with filters, search, dump, check, rebuild.
. "$(dirname "$0")/lib.sh"
$FB init --device-label t --team 一队 --operator 张静 > /dev/null
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00

p=$($FB add person name=王芳 id_number=440305198802294562 mobile=13800138000 occupation=快递员 relation=劳务派遣 employer=速达快递 consent=是)
like "person added" "$p" '^[0-9a-f]{16}$'
v=$($FB add visit type=新春送福 site=工业园 team=一队 headcount=300 'items=礼包×300@25' cost=7500 recipients=$p)
like "visit added" "$v" '^[0-9a-f]{16}$'
c=$($FB add consultation person=$p topics=欠薪,劳动合同 summary=拖欠三个月工资 outcome=answered claimed=12000 follow_up=2026-12-15)
like "consultation added" "$c" '^[0-9a-f]{16}$'
k=$($FB add case case_no=ZS-2026-001 applicants=$p respondent=某建筑公司 respondent_uscc=91440300MA00000152 dispute_types=欠薪 claims='欠薪@960000' recovered=960000)
like "case added" "$k" '^[0-9a-f]{16}$'
r=$($FB add request requester=$p service=体检)
like "request added" "$r" '^[0-9a-f]{16}$'
d=$($FB add demand collected_by=骑手代表 affected=40 categories=休息,安全卫生 description=冬季防风防雨装备)
like "demand added" "$d" '^[0-9a-f]{16}$'
a=$($FB add assistance person=$p type=医疗 amount=7000 reason=母亲手术)
like "assistance added" "$a" '^[0-9a-f]{16}$'
nt=$($FB add note parent=$k text=第一次调解会)
like "note added" "$nt" '^[0-9a-f]{16}$'
for kind in site service team; do
	case $kind in site) args="name=爱心驿站 type=爱心驿站" ;; service) args="code=S01 name=技能培训" ;; team) args="name=一队" ;; esac
	x=$($FB add $kind $args)
	like "$kind added" "$x" '^[0-9a-f]{16}$'
done

out=$($FB show $p)
like "a person shows their consultations" "$out" "$c +Consultation .*\(person\)"
like "... and their assistance" "$out" "$a"
like "... and the visit they attended" "$out" "$v"
like "leap-day birth date derived" "$out" "1988-02-29"
like "money shown in yuan" "$($FB show $a)" "7000.00"
like "sensitive text hidden by default" "$($FB show $a)" "hidden"
like "sensitive text shown unmasked" "$($FB show $a --unmasked)" "母亲手术"

ok "edit a field" $FB edit $p mobile=13900001111 employer=顺丰
out=$($FB show $p --history)
like "history keeps the old mobile (masked)" "$out" "138\*\*\*\*8000"
like "history shows the new one as current" "$out" '\* .*139\*\*\*\*1111'
like "history names who and when" "$out" "2026-11-29T10:00:00\+08:00  张静"
ok "clear an optional field" $FB edit $p employer=
unlike "cleared field is empty" "$($FB show $p | grep '^  employer ')" "顺丰"

out=$($FB list person occupation=courier --format tsv)
is "list filter by code" "$(echo "$out" | wc -l)" "2"
out=$($FB list person occupation=快递员 --format tsv)
like "list filter by label, masked" "$out" "138\*\*\*\*|139\*\*\*\*1111"
out=$($FB list person --format tsv --unmasked)
like "list --unmasked" "$out" "13900001111"
out=$($FB list person)
like "table header uses labels" "$out" "^id +Name"

ok "delete" $FB delete $v
is "deleted visit leaves the list" "$($FB list visit --format tsv | wc -l)" "1"
like "deleted visit still shows, marked" "$($FB show $v)" "DELETED"
is "editing a deleted record: exit 1" "$(status $FB edit $v headcount=1)" "1"

$FB dump > "$T/dump1"
like "dump is unmasked" "$(cat "$T/dump1")" "13900001111"
like "dump lists the deleted record" "$(cat "$T/dump1")" "record	$v	visit	exists=0"
d1=$($FB check --state-digest)
like "state digest is a sha-256" "$d1" '^[0-9a-f]{64}$'
ok "check passes" $FB check
ok "rebuild" $FB rebuild
is "rebuild keeps the state digest" "$($FB check --state-digest)" "$d1"
$FB dump > "$T/dump2"
ok "dump is identical after rebuild" cmp "$T/dump1" "$T/dump2"
