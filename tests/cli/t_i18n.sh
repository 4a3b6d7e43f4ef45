# t_i18n.sh - the Chinese interface: gettext messages from the built catalogue and field
# labels from the field table, chosen by one decision (LANGUAGE, LC_ALL, LC_MESSAGES, LANG
# or the config key `language`), on a machine where only C.UTF-8 is installed.
. "$(dirname "$0")/lib.sh"
zh() { LANGUAGE=zh_CN "$FB" "$@"; }
$FB init --device-label gate-1 --operator 张静 > /dev/null
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00
p=$($FB add person name=张三 id_number=11010519491231002X mobile=13912345678 occupation=courier)

# Which catalogue: the one built next to the program.
mo=$(dirname "$FB")/locale/zh_CN/LC_MESSAGES/fieldbook.mo
ok "the build put the catalogue next to the program" test -s "$mo"

# Command line in Chinese under C.UTF-8 with LANGUAGE=zh_CN (glibc honours LANGUAGE
# under C.UTF-8; fieldbook does not depend on it).
out=$(zh help 2>&1)
like "help: Chinese title" "$out" "工会服务队的现场记录"
like "help: Chinese command descriptions" "$out" "add +添加一条记录；输出其编号"
like "help: environment line" "$out" "环境变量：FIELDBOOK_HOME（数据目录）"
out=$(zh help add 2>&1)
like "help add: Chinese usage line" "$out" "^用法：fieldbook add KIND"
out=$(zh add person occupation=courier 2>&1)
like "error message in Chinese, field label from the field table" "$out" "name（姓名）是必填项：请加上 name=值"
like "the nothing-saved line in Chinese" "$out" "没有保存任何内容"
out=$(zh add person name=李四 occupation=courier id_number=110105194912310021 2>&1)
like "validation message in Chinese" "$out" "校验位应为 X，而不是 1"
out=$(zh nosuch 2>&1)
like "unknown command in Chinese" "$out" "没有命令 'nosuch'"
out=$(zh fields person)
like "fields: Chinese labels and (required)" "$out" "name +name +姓名 +Name（必填）"
like "fields: choice labels in both languages" "$out" "courier +快递员 / courier"
out=$(zh list person)
like "list: Chinese column headers" "$out" "^编号 +姓名 +证件号码 +手机号"
like "list: choice label in Chinese" "$out" "张三 .*快递员"
like "list: masked values stay masked" "$out" "139\*\*\*\*5678"
out=$(zh search 张三)
like "search: Chinese headers" "$out" "^编号 +类型 +标题 +匹配"
out=$(zh show "$p")
like "show: Chinese labels" "$out" "手机号"

# The same decision from other variables.
out=$(env -u LC_ALL LANG=zh_CN.UTF-8 "$FB" help 2>&1)
like "LANG=zh_CN.UTF-8 (locale not installed): Chinese" "$out" "添加一条记录"
unlike "LANG=zh_CN.UTF-8: no character-set warning (falls back to C.UTF-8)" "$out" "warning|警告"
out=$(env -u LC_ALL LC_MESSAGES=zh_CN.UTF-8 "$FB" list person 2>&1)
like "LC_MESSAGES=zh_CN.UTF-8: labels and headers Chinese" "$out" "^编号 +姓名"
out=$(LANGUAGE=fr:zh_CN:en "$FB" help 2>&1)
like "LANGUAGE=fr:zh_CN:en: the first language with messages wins" "$out" "添加一条记录"
out=$(LANGUAGE=en:zh_CN "$FB" list person 2>&1)
like "LANGUAGE=en:zh_CN: English headers" "$out" "^id +Name"
out=$(LC_ALL=C LANGUAGE=zh_CN "$FB" help 2>&1)
like "LC_ALL=C with LANGUAGE=zh_CN: the warning in Chinese" "$out" "警告：当前区域设置的字符集是 ANSI_X3.4-1968"
like "LC_ALL=C with LANGUAGE=zh_CN: Chinese messages" "$out" "添加一条记录"
out=$("$FB" help 2>&1)
like "no language variable: English" "$out" "add +add a record; prints its id"

# The config key decides over the environment, for messages and labels alike.
printf 'language = zh\n' > "$FIELDBOOK_CONFIG"
out=$("$FB" list person 2>&1)
like "language = zh: Chinese headers without any variable" "$out" "^编号 +姓名"
out=$("$FB" add person occupation=courier 2>&1)
like "language = zh: Chinese messages without any variable" "$out" "name（姓名）是必填项"
printf 'language = en\n' > "$FIELDBOOK_CONFIG"
out=$(zh list person 2>&1)
like "language = en over LANGUAGE=zh_CN: English headers" "$out" "^id +Name"
out=$(zh add person occupation=courier 2>&1)
like "language = en over LANGUAGE=zh_CN: English messages" "$out" "name \(Name\) is required"
printf 'language = fr\n' > "$FIELDBOOK_CONFIG"
out=$(zh list person 2>&1)
like "a bad language value is refused, in Chinese" "$out" "language = fr：请使用 zh 或 en"
rm -f "$FIELDBOOK_CONFIG"

# Where the catalogue comes from: a copy of the program with no catalogue beside it
# speaks English; FIELDBOOK_LOCALEDIR points it at the built one.
mkdir -p "$T/bin" && cp "$FB" "$T/bin/fieldbook"
out=$(LANGUAGE=zh_CN "$T/bin/fieldbook" help 2>&1)
like "no catalogue found: the English messages (labels still Chinese)" "$out" "add +add a record"
out=$(LANGUAGE=zh_CN FIELDBOOK_LOCALEDIR="$(dirname "$FB")/locale" "$T/bin/fieldbook" help 2>&1)
like "FIELDBOOK_LOCALEDIR finds the catalogue" "$out" "添加一条记录"
mkdir -p "$T/share/locale" && cp -r "$(dirname "$FB")/locale/zh_CN" "$T/share/locale/"
out=$(LANGUAGE=zh_CN "$T/bin/fieldbook" help 2>&1)
like "an installed tree: bin/../share/locale is found" "$out" "添加一条记录"

# The Chinese man page: clean, every command, and the keys the program has.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
zhman=$ROOT/man/zh_CN/fieldbook.1
ok "man/zh_CN/fieldbook.1 is clean under mandoc -Tlint" test -z "$(mandoc -Tlint -W warning "$zhman" 2>&1)"
missing=
for c in $("$FB" complete commands); do grep -q "^\.It Cm $c\b" "$zhman" || missing="$missing $c"; done
is "man/zh_CN/fieldbook.1 documents every command" "$missing" ""
want=$(MAN_KEYS_LANGUAGE=zh_CN "$ROOT/scripts/man-keys" "$FB" 2>&1)
got=$(sed -n '/^\.\\" BEGIN KEYS/,/^\.\\" END KEYS/p' "$zhman" | sed '1d;$d')
ok "man/zh_CN/fieldbook.1 KEYS match the action table in Chinese (make man updates them)" test "$want" = "$got"

echo "1..$n"
