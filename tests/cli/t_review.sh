# t_review.sh - the coordinator's review queues with the real program and real git: a
# conflict made by two laptops syncing through a bare repository, resolved on one and
# synced back; delete/edit conflicts; duplicate people across two teams, merge with a
# reference and a conflict, unmerge; alarms; devices; catalogue entries reaching another
# laptop's form (headless TUI).
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "not ok 1 - git is not installed"; exit 1; }
git_test_env
bare "$T/hq.git"
a() { FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/ca "$FB" "$@"; }
b() { FIELDBOOK_HOME=$T/b FIELDBOOK_CONFIG=$T/cb "$FB" "$@"; }
a init --device-label gate-1 --team 东区一队 --operator 小王 > /dev/null
b init --device-label gate-2 --team 西区二队 --operator 小李 > /dev/null
a remote add hq "$T/hq.git" > /dev/null
b remote add hq "$T/hq.git" > /dev/null
bdev=$(b review devices | sed -n 's/^this computer: device \([0-9a-f]*\),.*/\1/p')
syncall() { a sync > /dev/null && b sync > /dev/null && a sync > /dev/null; }

# ---- a field conflict from two laptops
p=$(a add person name=张三 mobile=13912345678 occupation=courier employer=甲公司)
syncall
a edit "$p" employer=乙公司
b edit "$p" employer=丙公司
syncall
out=$(b review conflicts)
like "the conflict is listed on the other laptop" "$out" "employer 用工单位|employer Employer"
like "with one value and its author" "$out" "乙公司  by 小王 on device"
like "and the other" "$out" "丙公司  by 小李 on device"
like "and the common earlier value" "$out" "earlier value: 甲公司  by 小王"
is "both laptops show the same conflicts" "$(a review conflicts)" "$out"
out=$(a review)
like "the summary counts it" "$out" "conflicts +1 "
first=$(b review conflicts | sed -n 's/^  1 \* \([^ ]*\)  by .*/\1/p')
ok "resolve by picking value 1 (the field by its Chinese label)" b review resolve "$p" 用工单位 --pick 1
is "no conflict left where it was resolved" "$(b review conflicts)" "no conflicts"
syncall
is "the resolution synced back: none on the other laptop" "$(a review conflicts)" "no conflicts"
is "the kept value shows on both" "$(a show "$p" | grep -c "employer.*$first")" "1"
is "both converge" "$(a check --state-digest)" "$(b check --state-digest)"
status b review resolve "$p" employer --pick 1 > /dev/null
like "picking on a field without a conflict is refused" "$(cat "$T/err")" "no conflict to resolve"
# a typed value resolves too
a edit "$p" branch=一分会
b edit "$p" branch=二分会
syncall
ok "resolve by typing a new value (the field by its label)" a review resolve "$p" 所属工会 --value 三分会
syncall
like "the typed value wins everywhere" "$(b show "$p")" "branch.*三分会"
is "no conflicts" "$(b review conflicts)" "no conflicts"

# ---- delete/edit conflicts: restore one, keep the other deleted
d1=$(a add person name=李四 occupation=courier employer=丁公司)
d2=$(a add person name=王五 occupation=courier)
syncall
a delete "$d1"
a delete "$d2"
b edit "$d1" occupation=domestic
b edit "$d2" occupation=domestic
syncall
out=$(a review conflicts)
like "a delete/edit conflict is listed" "$out" "李四 .*deleted on one device while changed on another"
like "with the delete and the edit" "$out" "1  deleted  by 小王.*"
like "and the edit made concurrently" "$out" "occupation=.*by 小李"
ok "restore" a review resolve "${d1:0:8}" --restore
ok "keep deleted" a review resolve "${d2:0:8}" --keep-deleted
syncall
is "no conflicts left on the other laptop" "$(b review conflicts)" "no conflicts"
out=$(b show "$d1")
like "the restored person has the concurrent edit" "$out" "occupation.*(domestic|家政)"
like "and the values the delete covered" "$out" "employer.*丁公司"
is "both converge" "$(a check --state-digest)" "$(b check --state-digest)"

# ---- duplicates across two teams, merge with a reference and a conflict, unmerge
sv=$(a add person name=赵六 id_number=11010519491231002X occupation=courier)
dp=$(b add person name=赵六 id_number=11010519491231002X occupation=domestic employer=戊公司)
c1=$(b add consultation "person=$dp" topics=wage_arrears summary=欠薪 outcome=answered)
m1=$(a add person name=孙七 mobile=13700001111 occupation=courier)
m2=$(b add person name=孙七 mobile=13700001111 occupation=courier)
syncall
out=$(a review duplicates)
like "same ID number across the two teams" "$out" "same ID number:"
like "both people listed, ID masked" "$(printf '%s\n' "$out" | grep -c '赵六 .*ID 110\*\*\*\*\*\*\*\*\*\*\*002X')" "^2$"
unlike "the ID number is not shown in full" "$out" "11010519491231002X"
like "same name and mobile" "$out" "same name and mobile:"
like "with a ready merge command" "$out" "fieldbook review merge ${sv:0:8} ${dp:0:8}"
like "the consultation belongs to the duplicate" "$(a show "$dp")" "$c1|${c1:0:8}|欠薪|wage"
out=$(a review merge "$sv" "$dp")
like "merge reports the copied values and conflicts" "$out" "2 values copied.*1 fields now in conflict"
out=$(a show "$sv")
like "the survivor has the duplicate's employer" "$out" "employer.*戊公司"
like "the differing occupation is a conflict to resolve" "$out" "CONFLICT"
like "the consultation shows under the survivor" "$out" "$(a show "$c1" | head -1 | cut -c1-6)"
like "the consultation's person shows as the survivor (TUI)" "$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/ca "$FB" screen --keys '3<Enter><Dump>')" "Person +赵六 \(${sv:0:8}\)"
like "show says the consultation's person now stands for the survivor" "$(a show "$c1")" "$dp was merged into $sv"
like "the duplicate says where it went" "$(a show "$dp")" "merged_into.*$sv|merged_into.*${sv:0:8}"
unlike "the merged pair left the duplicate queue" "$(a review duplicates)" "赵六"
like "search finds only the survivor" "$(a search 赵六 --format tsv | tail -n +2 | cut -f1 | tr '\n' ' ')" "^$sv $"
syncall
is "the merge converged" "$(a check --state-digest)" "$(b check --state-digest)"
ok "unmerge on the other laptop" b review unmerge "$dp"
out=$(b show "$sv")
unlike "the survivor lost the merged employer" "$out" "戊公司"
unlike "and its conflict" "$out" "CONFLICT"
like "the duplicate is a person again" "$(b list person --format tsv)" "$dp"
syncall
is "the unmerge converged" "$(a check --state-digest)" "$(b check --state-digest)"
like "the pair is back in the duplicate queue" "$(a review duplicates)" "赵六"
status a review unmerge "$dp" > /dev/null
like "unmerging what is not merged is refused" "$(cat "$T/err")" "not merged"

# ---- devices and the review mark
out=$(a review devices)
like "this laptop and its team" "$out" "team 东区一队"
like "per device: records and new since the last review" "$out" "$bdev\$|$bdev"
like "never reviewed yet" "$out" "last review: never"
a review devices --mark > /dev/null
b add person name=周八 occupation=courier > /dev/null
syncall
like "one new record since the mark" "$(a review devices)" "new since the last review 1"
like "operators per device" "$(a review devices)" "operators: 小李"
like "the other laptop's label and team from its data" "$(a review devices | grep -A3 "^$bdev")" "label gate-2, team 西区二队, last sync that reached here 20"
like "teams on the review screen's devices queue" "$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/ca "$FB" screen --keys 'R4<Dump>')" "西区二队"

# ---- catalogues: published on one laptop, offered by the other's form
like "built-in services while none is published" "$(b catalogue service)" "技能培训 .*built-in"
a add service code=S01 name=技能培训班 > /dev/null
a add site name=东区职工服务中心 district=东区 > /dev/null
a add site name=旧驿站 status=retired > /dev/null
a add team name=东区一队 > /dev/null
syncall
out=$(b catalogue)
like "published services replace the defaults" "$out" "技能培训班 \(S01\)"
unlike "no built-in left" "$out" "built-in"
like "sites with their district" "$out" "东区职工服务中心 \(东区\)"
unlike "retired sites are not offered" "$out" "旧驿站"
r=$(b add request group=骑手站 service=s01)
like "a request takes the service code and stores the name" "$(b show "$r")" "service.*技能培训班"
ok "other text stays valid" b add visit type=new_year site=新工地 team=一队
out=$(FIELDBOOK_HOME=$T/b FIELDBOOK_CONFIG=$T/cb "$FB" screen --keys '2n<Tab><Tab><Dump><Enter><Dump><Enter><Dump><Tab><Enter><Dump>')
like "the visit form hints at the list" "$out" "type, or Enter to choose from the list"
like "Enter offers the published sites" "$out" "东区职工服务中心 \(东区\)"
like "and the teams" "$out" "\( \) 东区一队"
like "a chosen site fills the field" "$out" "Site +\* 东区职工服务中心"

# ---- the review screen
out=$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/ca "$FB" screen --keys 'R<Dump><Tab><Dump>3<Dump>4<Dump>')
like "R opens the review screen with its queues" "$out" "1 Conflicts \([0-9]+\) +2 Duplicates"
like "the duplicates queue" "$out" "same ID number: 赵六"
like "counted once shown" "$out" "2 Duplicates \(2\)"
like "the alarms queue (none open)" "$out" "nothing to review here"
like "the devices queue" "$out" "last review: "
a edit "$p" hukou=北京
b edit "$p" hukou=上海
syncall
out=$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/ca "$FB" screen --keys 'R<Dump><Enter><Dump><Enter><Dump>')
like "a conflict on the review screen" "$out" "张三: .* has 2 values"
like "its values with author and device" "$out" "(北京|上海)  \(小(王|李), device"
like "Enter offers the values and a new one" "$out" "type a new value"
like "picking resolves it" "$out" "resolved; the decision syncs"
syncall
is "resolved from the screen, synced to the other laptop" "$(b review conflicts)" "no conflicts"

# typing a new value from the screen; a delete/edit conflict; a merge from the screen
a edit "$p" hukou=广州
b edit "$p" hukou=深圳
syncall
out=$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/ca "$FB" screen --keys 'R<Enter>new<Enter>珠海<Enter><Dump>')
like "a new value typed on the screen resolves the conflict" "$out" "resolved with the new value"
like "the record has it" "$(a show "$p")" "hukou.*珠海"
d3=$(a add person name=郑十 occupation=courier employer=己公司)
syncall
a delete "$d3"
b edit "$d3" occupation=domestic
syncall
out=$(FIELDBOOK_HOME=$T/b FIELDBOOK_CONFIG=$T/cb "$FB" screen --keys 'R<Dump><Enter><Dump>restore<Enter><Dump>')
like "the delete/edit conflict on the screen, with the deleted person's name" "$out" "郑十: deleted on one device, changed on another"
like "offers keep deleted and restore" "$out" "keep it deleted"
like "restored from the screen" "$out" "resolved; the decision syncs"
like "the restored person is back with both" "$(b show "$d3")" "employer.*己公司"
m3=$(a add person name=王十一 mobile=13600002222 occupation=courier)
m4=$(b add person name=王十一 mobile=13600002222 occupation=courier)
syncall
# the queue: 赵六 (same ID number), then by mobile 136... (王十一) before 137... (孙七)
out=$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/ca "$FB" screen --keys 'R2<Down><Dump><Enter>y<Dump>')
like "the pair selected" "$out" "same name and mobile: 王十一"
like "merged from the screen" "$out" "merged: [0-9]+ values copied"
like "the second person now points to the first" "$(a show "$m4")" "merged into $m3"
syncall

# ---- alarms (last: laptop b cannot sync after this): a rewritten branch is quarantined
# on the coordinator's laptop
git clone -q "$T/hq.git" "$T/w" 2> /dev/null
git -C "$T/w" fetch -q origin "refs/heads/dev/$bdev:refs/heads/x" 2> /dev/null
git -C "$T/w" checkout -q x 2> /dev/null
git -C "$T/w" commit -q --amend -m rewritten 2> /dev/null
git -C "$T/w" push -q -f "$T/hq.git" "x:refs/heads/dev/$bdev" 2> /dev/null || {
	git -C "$T/hq.git" config receive.denyNonFastForwards false
	git -C "$T/w" push -q -f "$T/hq.git" "x:refs/heads/dev/$bdev"
}
a sync > /dev/null 2>&1
out=$(a review alarms)
like "the quarantine is listed" "$out" "quarantine"
like "with what happened" "$out" "what happened: .*$bdev"
like "and what to do" "$out" "what to do: nothing was lost"
like "the devices view counts it" "$(a review devices | grep -A1 "^$bdev")" "open alarms 1"
ok "acknowledge it" a review ack --all
is "no open alarms" "$(a review alarms)" "no open alarms"
like "kept for the record" "$(a review alarms --all)" "acknowledged"
status a review ack 999 > /dev/null
like "an unknown alarm number is refused" "$(cat "$T/err")" "no alarm number 999"

# laptop b now finds hq holding a history of its own id that it did not write
b sync > /dev/null 2>&1
out=$(b review alarms)
like "the other laptop lists a cloned device id" "$out" "cloned-device"
like "with what to do about it" "$out" "what to do: two computers share one device id"
