# t_i18n_tui.sh - the terminal interface in Chinese (LANGUAGE=zh_CN under C.UTF-8), driven
# headless: hints, help, list headers and forms translated, every row exactly the width
# of the terminal (translated text measured by columns, wide characters never split), at
# 80x24 and at the smallest size, 40x10.
. "$(dirname "$0")/lib.sh"
$FB init --device-label gate-1 --operator 张静 > /dev/null
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00 LANGUAGE=zh_CN
$FB add person name=张三 id_number=11010519491231002X mobile=13912345678 occupation=courier > /dev/null
$FB add person name=欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜 occupation=other employer=一家名字非常非常非常非常长的配送公司 > /dev/null

# rows_fit SCREEN COLS: every dumped row is COLS columns wide, no U+FFFD, no lone
# half of a wide character.
rows_fit() {
	python3 -c '
import sys, unicodedata
rows = sys.argv[1].split("\n")[1:]
cols = int(sys.argv[2])
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
bad = [r for r in rows if r and (w(r) != cols or "\ufffd" in r)]
for r in bad[:5]:
    print("#   %d columns: %s" % (w(r), r))
sys.exit(1 if bad else 0)' "$1" "$2"
}
screen() { $FB screen "$@"; }

out=$(screen --size 80x24 --keys '')
like "home: Chinese title" "$out" "fieldbook —— 工会现场记录"
like "home: kinds with their Chinese labels" "$out" "1  职工 +2"
like "home: status bar in Chinese" "$out" "张静 @ gate-1 \| 未同步 [0-9]+ \| 冲突 0"
like "home: Chinese key hints" "$out" "Enter 打开  n 登记  / 搜索  S 同步  .*F1 帮助  Q 退出"
ok "home: every row 80 columns" rows_fit "$out" 80

out=$(screen --size 80x24 --keys '<F1>')
like "help: Chinese title" "$out" "fieldbook —— 按键"
like "help: Chinese section and descriptions" "$out" "所有界面"
like "help: key and Chinese description aligned" "$out" "  Esc        返回，或取消（丢失更改前会询问）"
like "help: Chinese hint bar" "$out" "Esc 返回  Up/Down 滚动"
ok "help: every row 80 columns" rows_fit "$out" 80

out=$(screen --size 80x24 --keys '<Enter>')
like "list: Chinese header" "$out" "职工（第 1 页）"
like "list: Chinese column headers" "$out" "编号 +姓名 +证件号码 +手机号"
like "list: choice label in Chinese" "$out" "快递员"
like "list: Chinese hints" "$out" "Enter 打开  n 新建  / 搜索  s 状态  d 日期  x 清除  F1 帮助"
ok "list: every row 80 columns" rows_fit "$out" 80

out=$(screen --size 80x24 --keys 'n')
like "form: Chinese title and labels" "$out" "新建职工"
like "form: required mark after a Chinese label" "$out" "姓名 +\*"
like "form: Chinese hints" "$out" "\^S 保存  Esc 返回  Tab 下一项  Enter 选择"
ok "form: every row 80 columns" rows_fit "$out" 80

out=$(screen --size 80x24 --keys 'n王<Esc>')
like "form: the discard question in Chinese" "$out" "放弃更改？\(y/n\)"

out=$(screen --size 80x24 --keys '/张三<Enter>')
like "search: Chinese header" "$out" "搜索：张三（第 1 页）"
ok "search: every row 80 columns" rows_fit "$out" 80

out=$(screen --size 80x24 --keys 'R')
like "review: Chinese title and queues" "$out" "审核"
ok "review: every row 80 columns" rows_fit "$out" 80
out=$(screen --size 80x24 --keys 'r')
like "report: Chinese title" "$out" "报表"
ok "report: every row 80 columns" rows_fit "$out" 80

for keys in '' '<F1>' '<Enter>' 'n' '<Enter><Enter>' 'S' 'R' 'r'; do
	out=$(screen --size 40x10 --keys "$keys")
	ok "40x10 '$keys': translated text cut by columns, every row 40 columns" rows_fit "$out" 40
done
out=$(screen --size 30x8 --keys '')
like "too small: the message in Chinese" "$out" "终端太小"
ok "too small: every row 30 columns" rows_fit "$out" 30

echo "1..$n"
