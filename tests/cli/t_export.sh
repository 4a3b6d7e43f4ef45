# t_export.sh - `fieldbook export` to CSV and XLSX, read back with independent readers
# (Python's csv module; zipfile + xml.etree for the XLSX parts) and compared cell by
# cell with the database (`fieldbook dump`, labels from `fieldbook fields`): Chinese and
# Ext-B text, commas, quotes, line breaks, leading zeros, formula injection, masked and
# unmasked values, English and Chinese headers, text cells for ID numbers and mobiles.
. "$(dirname "$0")/lib.sh"
$FB init --device-label t --team 一队 --operator 张静 > /dev/null

export FIELDBOOK_NOW=2026-01-10T09:00:00+08:00
p1=$($FB add person name=王芳 id_number=440305198802294562 mobile=13800138000 occupation=快递员 \
	relation=劳务派遣 'employer=速达快递,"总部"' platforms=美团,饿了么 consent=是 joined_on=2025-03-01)
p2=$($FB add person name=𠀀明·阿依古丽 id_type=passport id_number=00123456 mobile=13900001111 \
	occupation=other branch=0071 'employer==HYPERLINK("http://x","点我")' hukou=-2+3 ethnicity=@维吾尔)
export FIELDBOOK_NOW=2026-03-05T15:30:00+08:00
p3=$($FB add person name=李四 id_number=11010519491231002X occupation=courier 'employer=+86 公司')
gone=$($FB add person name=已删除 occupation=courier)
$FB delete "$gone"
c1=$($FB add consultation person=$p1 date=2026-03-01 topics=欠薪,劳动合同 \
	"summary=拖欠三个月工资
老板说\"下个月\"再给, 可能跑路" claimed=12000.5 outcome=answered follow_up=2026-03-15)
c2=$($FB add consultation date=2026-03-02 topics=工伤 summary=匿名 outcome=answered)
like "records added" "$p1 $p2 $p3 $c1 $c2" '^[0-9a-f]{16}( [0-9a-f]{16}){4}$'
unset FIELDBOOK_NOW

$FB dump > "$T/dump"
$FB fields person > "$T/fields.person"
$FB fields consultation > "$T/fields.consultation"

# The independent reader and comparison.  Usage: check.py FORMAT FILE KIND LANG MASKED
cat > "$T/check.py" <<'PY'
import csv, datetime, io, re, sys, urllib.parse, zipfile
import xml.etree.ElementTree as ET

fmt, path, kind, lang, masked = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
T = path.rsplit("/", 1)[0]
problems = []

# ---- the schema as `fieldbook fields KIND` prints it
fields = []  # (code, type, zh, en, sensitive)
choices = {}
for line in open(f"{T}/fields.{kind}", encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("    "):
        code, labels = line.strip().split(None, 1)
        zh, en = labels.split(" / ", 1)
        choices[fields[-1][0]][code] = (zh, en)
        continue
    code, typ, zh, rest = line.split(None, 3)
    en = re.split(r" \(| \[| -> ", rest)[0]
    fields.append((code, typ, zh, en, "(sensitive)" in rest))
    choices[code] = {}
fields = [f for f in fields if f[0] != "merged_into"]

# ---- the records from the dump: live ones of the kind, newest update first
recs, cur = [], None
for line in open(f"{T}/dump", encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("record\t"):
        parts = line.split("\t")
        cur = None
        if parts[2] == kind and "live=1" in parts:
            upd = int(re.search(r"updated=(\d+)", line).group(1))
            cur = {"_id": parts[1], "_upd": upd}
            recs.append(cur)
    elif cur is not None and line.startswith("\t"):
        _, name, _op, value = line.split("\t", 3)
        value = urllib.parse.unquote(value)  # the dump percent-escapes controls and %
        cur.setdefault(name, value)
recs.sort(key=lambda r: (r["_upd"], r["_id"]), reverse=True)

def mask(v):
    n = len(v)
    return "*" * n if n <= 7 else v[:3] + "*" * (n - 7) + v[-4:]

def shown(f, v):
    code, typ, zh, en, sens = f
    if v == "":
        return ""
    if masked and (typ == "idnumber" or typ == "mobile"):
        return mask(v)
    if masked and sens:
        return ("HIDDEN", len(v))
    if typ == "choice":
        return choices[code][v][0 if lang == "zh" else 1]
    if typ == "multi":
        return ("、" if lang == "zh" else ", ").join(choices[code][c][0 if lang == "zh" else 1] for c in v.split(","))
    if typ == "bool":
        return {"1": "是" if lang == "zh" else "yes", "0": "否" if lang == "zh" else "no"}[v]
    if typ == "money":
        return "%d.%02d" % divmod(int(v), 100)
    return v

header = ["记录编号" if lang == "zh" else "Record id"] + [f[2] if lang == "zh" else f[3] for f in fields]
want = [[r["_id"]] + [shown(f, r.get(f[0], "")) for f in fields] for r in recs]
types = ["code"] + [f[1] for f in fields]

def same(got, exp, where):
    if isinstance(exp, tuple):  # hidden sensitive text: the count, never the value
        if str(exp[1]) not in got or not got.startswith(("(", "（")):
            problems.append(f"{where}: hidden value shows as {got!r}")
        return
    if got != exp:
        problems.append(f"{where}: got {got!r}, want {exp!r}")

def header_ok(got):
    # `fieldbook fields` cuts Chinese labels at 14 columns: compare by prefix there
    return len(got) == len(header) and all(g == h or (lang == "zh" and g.startswith(h) and len(h) == 7)
                                           for g, h in zip(got, header))

def formula_like(s):
    return s[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", s)

if fmt == "csv":
    raw = open(path, "rb").read()
    if not raw.startswith(b"\xef\xbb\xbf"):
        problems.append("no UTF-8 BOM")
    embedded = sum(c.count("\n") for row in want for c in row if isinstance(c, str))
    if raw.count(b"\n") != raw.count(b"\r\n") + embedded or not raw.endswith(b"\r\n"):
        problems.append("rows do not end with CRLF")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    if not header_ok(rows[0]):
        problems.append(f"header {rows[0]} != {header}")
    if len(rows) - 1 != len(want):
        problems.append(f"{len(rows) - 1} rows, want {len(want)}")
    for i, (g, w) in enumerate(zip(rows[1:], want)):
        if len(g) != len(w):
            problems.append(f"row {i + 2}: {len(g)} cells, want {len(w)}")
        for j, (gc, wc) in enumerate(zip(g, w)):
            if isinstance(wc, str) and formula_like(wc):
                wc = "'" + wc
            same(gc, wc, f"row {i + 2} col {j + 1}")
else:
    NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    z = zipfile.ZipFile(path)
    names = z.namelist()
    shared = []
    if "xl/sharedStrings.xml" in names:
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    styles = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {49: "@", 14: "m/d/yyyy"}
    for nf in styles.findall("m:numFmts/m:numFmt", NS):
        fmts[int(nf.get("numFmtId"))] = nf.get("formatCode")
    xf_fmt = [fmts.get(int(xf.get("numFmtId", "0")), "General") for xf in styles.findall("m:cellXfs/m:xf", NS)]
    sheet = z.read("xl/worksheets/sheet1.xml")
    if b"<f>" in sheet or b"<f " in sheet:
        problems.append("a formula in the sheet")
    grid = {}
    for row in ET.fromstring(sheet).iter("{%s}row" % NS["m"]):
        for c in row.findall("m:c", NS):
            ref = c.get("r")
            col = 0
            for ch in re.match(r"[A-Z]+", ref).group(0):
                col = col * 26 + ord(ch) - 64
            r = int(re.search(r"\d+", ref).group(0))
            t = c.get("t", "n")
            fmtc = xf_fmt[int(c.get("s", "0"))]
            if t == "s":
                val = shared[int(c.find("m:v", NS).text)]
            elif t == "inlineStr":
                val = "".join(x.text or "" for x in c.find("m:is", NS).iter("{%s}t" % NS["m"]))
            else:
                val = c.find("m:v", NS).text
            grid[(r, col)] = (t, val, fmtc)
    got_header = [grid.get((1, j + 1), ("", "", ""))[1] for j in range(len(header))]
    if not header_ok(got_header):
        problems.append(f"header {got_header} != {header}")
    nrows = max(r for r, _ in grid) - 1
    if nrows != len(want):
        problems.append(f"{nrows} rows, want {len(want)}")
    for i, w in enumerate(want):
        for j, wc in enumerate(w):
            where = f"row {i + 2} col {j + 1} ({header[j]})"
            cell = grid.get((i + 2, j + 1))
            if cell is None:
                if wc != "":
                    problems.append(f"{where}: empty, want {wc!r}")
                continue
            t, val, fmtc = cell
            typ = types[j]
            if typ in ("code", "idnumber", "mobile", "uscc", "ref", "refs"):
                if t not in ("s", "inlineStr") or fmtc != "@":
                    problems.append(f"{where}: type {t} format {fmtc}, want a text cell")
                same(val, wc, where)
            elif typ == "date" and t == "n":
                if "yy" not in fmtc:
                    problems.append(f"{where}: date cell with format {fmtc}")
                d = datetime.date(1899, 12, 30) + datetime.timedelta(days=float(val))
                same(d.isoformat(), wc, where)
            elif typ == "money" and t == "n":
                same("%.2f" % float(val), wc, where)
            elif typ in ("integer", "rating") and t == "n":
                same(str(int(float(val))), wc, where)
            else:
                if t not in ("s", "inlineStr", "str"):
                    problems.append(f"{where}: type {t}, want text")
                same(val, wc, where)
for p in problems[:20]:
    print("#", p)
print("ok" if not problems else "%d problems" % len(problems))
PY
check() { python3 "$T/check.py" "$@" 2>&1; }

ok "export person to CSV (masked)" $FB export person --csv "$T/p.csv"
like "it says how many records, masked" "$(cat "$T/err")" "exported 3 Person records, ID numbers and mobiles masked"
is "CSV cells equal the database, masked, English headers" "$(check csv "$T/p.csv" person en 1)" "ok"
raw=$(cat "$T/p.csv")
unlike "no full ID number in a masked export" "$raw" "440305198802294562|13800138000"
like "formula neutralised with an apostrophe" "$raw" "'=HYPERLINK"
like "leading zeros kept (passport masked whole)" "$raw" ",0071,"
is "the file is owner-only" "$(stat -c %a "$T/p.csv")" "600"
ok "export person to XLSX (masked)" $FB export person --xlsx "$T/p.xlsx"
is "XLSX cells equal the database, masked" "$(check xlsx "$T/p.xlsx" person en 1)" "ok"

ok "export --unmasked to CSV and XLSX" $FB export person --unmasked --csv "$T/u.csv" --xlsx "$T/u.xlsx"
like "unmasked export warns about long numbers in CSV" "$(cat "$T/err")" "--xlsx"
is "CSV unmasked equals the database" "$(check csv "$T/u.csv" person en 0)" "ok"
is "XLSX unmasked equals the database (IDs as text cells)" "$(check xlsx "$T/u.xlsx" person en 0)" "ok"
like "full ID number in the unmasked CSV" "$(cat "$T/u.csv")" "440305198802294562"
unzip -p "$T/u.xlsx" xl/worksheets/sheet1.xml > "$T/sheet.xml" 2> /dev/null || python3 -c "import zipfile,sys; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml'))" "$T/u.xlsx" > "$T/sheet.xml"
unlike "no ID number stored as a number" "$(cat "$T/sheet.xml")" "<v>4\.?40305198802294"

export LANGUAGE=zh_CN
ok "export with Chinese labels" $FB export person --csv "$T/zh.csv" --xlsx "$T/zh.xlsx"
$FB fields person > "$T/fields.person"
is "CSV headers and choices in Chinese" "$(check csv "$T/zh.csv" person zh 1)" "ok"
is "XLSX headers and choices in Chinese" "$(check xlsx "$T/zh.xlsx" person zh 1)" "ok"
like "header is 记录编号,姓名,证件类型" "$(head -1 "$T/zh.csv")" "记录编号,姓名,证件类型"
ok "consultations in Chinese, unmasked" $FB export consultation --unmasked --csv "$T/c.csv" --xlsx "$T/c.xlsx"
is "consultation CSV: money, topics, multi-line text with quotes and commas" "$(check csv "$T/c.csv" consultation zh 0)" "ok"
is "consultation XLSX: money and dates as numbers" "$(check xlsx "$T/c.xlsx" consultation zh 0)" "ok"
ok "consultations masked" $FB export consultation --xlsx "$T/cm.xlsx" --csv "$T/cm.csv"
is "sensitive summary hidden in XLSX" "$(check xlsx "$T/cm.xlsx" consultation zh 1)" "ok"
is "... and in CSV" "$(check csv "$T/cm.csv" consultation zh 1)" "ok"
unlike "no summary text in the masked file" "$(cat "$T/cm.csv")" "拖欠"
unset LANGUAGE

ok "--from limits by update time" $FB export person --from 2026-02-01 --csv "$T/from.csv"
is "only the March records" "$(($(wc -l < "$T/from.csv") - 1))" "1"
ok "--to limits by update time" $FB export person --to 2026-01-10 --csv "$T/to.csv"
is "only the January records" "$(($(wc -l < "$T/to.csv") - 1))" "2"
ok "CSV to standard output" sh -c "$FB export person --csv - > '$T/stdout.csv'"
is "same bytes as the file" "$(cmp "$T/stdout.csv" "$T/p.csv" && echo same)" "same"

dup=$($FB add person name=王芳 mobile=13800138000 occupation=other)
ok "a duplicate merged into 王芳" $FB review merge "$p1" "$dup"
ok "export after the merge" $FB export person --csv "$T/merged.csv"
is "the merged duplicate is not exported; the survivor once" "$(grep -c 王芳 "$T/merged.csv")" "1"
unlike "no row for the duplicate's id" "$(cat "$T/merged.csv")" "$dup"

is "no format: usage error" "$(status $FB export person)" "2"
is "unknown kind: usage error" "$(status $FB export nosuch --csv "$T/x.csv")" "2"
is "--reason without --unmasked: usage error" "$(status $FB export person --reason x --csv "$T/x.csv")" "2"
is "bad --from date: exit 1" "$(status $FB export person --from 2026-13-01 --csv "$T/x.csv")" "1"
like "... naming the option" "$(cat "$T/err")" "--from"
is "unwritable directory: exit 1" "$(status $FB export person --csv /nonexistent/dir/x.csv)" "1"
test ! -e /nonexistent/dir/x.csv.part
ok "no partial file is left behind" test ! -e "$T/x.csv.part"
# ---- privacy mode: sealed values are opened for the export, unmasked exports need the
# role and a reason and are in the audit trail before the file is written
unset XDG_RUNTIME_DIR FIELDBOOK_PASSPHRASE_FILE
printf '%s\n' "导出测试的口令-2026" > "$T/coord.pass"
printf '%s\n' "外展队的口令-8" > "$T/field.pass"
chmod 600 "$T/coord.pass" "$T/field.pass"
export FIELDBOOK_HOME=$T/priv FIELDBOOK_CONFIG=$T/priv.config
$FB init --device-label p --operator 王协调 > /dev/null
env FIELDBOOK_PASSPHRASE_FILE="$T/coord.pass" $FB key create > /dev/null
export FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass
$FB add person name=张三 id_number=11010519491231002X mobile=13912345678 occupation=courier > /dev/null
ok "privacy mode: masked export" $FB export person --csv "$T/pm.csv"
like "... the sealed ID number opened and masked" "$(cat "$T/pm.csv")" "110\*{11}002X"
unlike "... no sealed text in the file" "$(cat "$T/pm.csv")" "enc1:"
is "unmasked without a reason: exit 1" "$(status $FB export person --unmasked --csv "$T/pu.csv")" "1"
like "... asks for a reason" "$(cat "$T/err")" "reason"
ok "... and writes no file" test ! -e "$T/pu.csv"
ok "unmasked with a reason" $FB export person --unmasked --reason 月度上报 --xlsx "$T/pu.xlsx"
like "the audit trail has the unmasked export of person" "$($FB list audit --format tsv)" "export_unmasked|unmasked export"
like "... and why" "$($FB show "$($FB list audit --format tsv | sed -n 2p | cut -f1)")" "月度上报"
is "the XLSX holds the full ID number" "$(python3 -c 'import sys,zipfile; print("11010519491231002X" in zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode())' "$T/pu.xlsx")" "True"
$FB key export "$T/field.key" --operator 李外展 --role field --passphrase-file "$T/field.pass" > /dev/null
export FIELDBOOK_HOME=$T/priv2 FIELDBOOK_CONFIG=$T/priv2.config FIELDBOOK_PASSPHRASE_FILE=$T/field.pass
$FB init --join "$T/field.key" --device-label f > /dev/null
is "the field role may not export unmasked" "$(status $FB export person --unmasked --reason x --csv "$T/pf.csv")" "1"
like "... and is told who may" "$(cat "$T/err")" "coordinator"
ok "... no file" test ! -e "$T/pf.csv"
unset FIELDBOOK_PASSPHRASE_FILE
export FIELDBOOK_HOME=$T/data FIELDBOOK_CONFIG=$T/config

ok "help export" $FB help export
like "help names both formats" "$(cat "$T/out")" "--csv FILE \| --xlsx FILE"
echo "1..$n"
