# t_sync_path.sh - sync through a bare repository by path and through bundle files:
# three devices converge, the repositories stay clean for git (fsck --strict, clone,
# bundle verify, fetch from our bundles), bundles made by git are read, a forged change
# file, a change file under another device's path and a rewritten branch are quarantined
# with nothing changed, repeated syncs change nothing, and a stick with a damaged object
# is refused in plain words with no ref moved.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "1..0 # SKIP git not installed"; exit 0; }
git_test_env
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00

on() { # on DEVICE: this shell now acts as DEVICE
	export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config
}
digest() { FIELDBOOK_HOME=$T/$1 $FB check --state-digest; }
fsck_ok() { git -C "$1" fsck --strict --no-progress > "$T/fsck" 2>&1 && ! grep -qE '^(error|warning|missing|broken)' "$T/fsck"; }

bare "$T/usb.git"
for d in a b c; do
	on $d
	$FB init --device-label $d --operator op-$d > "$T/init.$d"
	eval "id_$d=\$(sed -n 's/^device \([0-9a-f]*\) .*/\1/p' \"\$T/init.$d\")"
done
on a
ok "remote add (path)" $FB remote add usb "$T/usb.git"
like "remote list" "$($FB remote list)" "^usb	$T/usb.git\$"
is "remote add: bad name is a usage error" "$(status $FB remote add 'Bad Name' "$T/usb.git")" 2
is "remote add: same name twice fails" "$(status $FB remote add usb "$T/usb.git")" 1
ok "remote add (ssh URL with a host key)" $FB remote add hq ssh://git@127.0.0.1:2222/data.git \
	--host-key SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
is "sync with an ssh remote nobody answers on fails" "$(status $FB sync hq)" 1
like "... in plain words" "$(cat "$T/err")" "cannot reach 127.0.0.1:2222: connection refused; .*everything stays saved"
ok "remote remove" $FB remote remove hq
unlike "removed remote gone" "$($FB remote list)" "^hq"
for d in b c; do on $d; $FB remote add usb "$T/usb.git" > /dev/null; done

on a
p=$($FB add person name=王芳 id_number=440305198802294562 mobile=13800138000 occupation=快递员 consent=是)
$FB add demand collected_by=骑手代表 affected=40 categories=休息 description=冬季装备 > /dev/null
ok "a syncs (first push)" $FB sync
like "outcome in plain words" "$(cat "$T/out")" "^synced with usb: pushed [0-9]+ changes, received 0 from 0 devices, 0 new conflicts$"
on b
ok "b syncs" $FB sync usb
like "b received a's changes" "$(cat "$T/out")" "received [1-9][0-9]* from 1 device,"
$FB edit $p mobile=13900001111 > /dev/null
$FB add person name=李四 id_number=11010519491231002X mobile=13500001234 occupation=快递员 consent=是 > /dev/null
on a
$FB edit $p mobile=13700002222 > /dev/null
on b
ok "b syncs its edit" $FB sync
on a
ok "a syncs its concurrent edit" $FB sync
like "a sees one new conflict" "$(cat "$T/out")" "1 new conflict"
on c
$FB add site name=爱心驿站 type=爱心驿站 > /dev/null
ok "c syncs" $FB sync
like "c received from 2 devices" "$(cat "$T/out")" "from 2 devices"
on a
ok "a syncs again" $FB sync
on b
ok "b syncs again" $FB sync
is "a and b have the same state" "$(digest a)" "$(digest b)"
is "b and c have the same state" "$(digest b)" "$(digest c)"
like "the conflict shows on c" "$(on c; $FB show $p)" "13700002222|137\*\*\*\*2222"
for d in a b c; do
	on $d
	ok "re-sync on $d changes nothing" $FB sync
	like "... says so" "$(cat "$T/out")" "pushed 0 changes, received 0 from 0 devices, 0 new conflicts"
done
is "state unchanged by re-syncs" "$(digest a)" "$(digest c)"
ok "git fsck --strict: the remote" fsck_ok "$T/usb.git"
for d in a b c; do ok "git fsck --strict: $d's repository" fsck_ok "$T/$d/repo.git"; done
ok "git clone of the remote" git clone -q "$T/usb.git" "$T/clone"
ok "the clone has a's change files" test -n "$(git -C "$T/clone" ls-tree -r --name-only origin/dev/$id_a | grep "^log/$id_a/000/000001.chg$")"
on a
ok "a fast-forward push is what the server accepts (denyNonFastForwards)" \
	git -C "$T/a/repo.git" push -q "$T/usb.git" "refs/heads/dev/$id_a:refs/heads/dev/$id_a"

# ---- bundles ----
on a
ok "bundle create" $FB bundle create "$T/a.bundle"
like "... says what it wrote" "$(cat "$T/out")" "^wrote .*a.bundle: the data of 3 devices$"
ok "git bundle verify accepts it" git -C "$T/usb.git" bundle verify "$T/a.bundle"
git init -q --bare "$T/fromb.git"
ok "git fetch from our bundle works" git -C "$T/fromb.git" fetch -q "$T/a.bundle" 'refs/heads/*:refs/heads/*'
ok "git fsck --strict of what was fetched from the bundle" fsck_ok "$T/fromb.git"
on d
$FB init --device-label d > /dev/null
ok "a new laptop reads the bundle" $FB bundle read "$T/a.bundle"
like "... received changes from 3 devices" "$(cat "$T/out")" "from 3 devices"
is "... and has the same state" "$(digest d)" "$(digest a)"
ok "reading it again changes nothing" $FB bundle read "$T/a.bundle"
like "... says so" "$(cat "$T/out")" "received 0 changes"
ok "git fsck --strict: d's repository" fsck_ok "$T/d/repo.git"
on e
$FB init --device-label e > /dev/null
git -C "$T/b/repo.git" bundle create -q "$T/git-all.bundle" --all 2> /dev/null
ok "reads a bundle made by git bundle create --all" $FB bundle read "$T/git-all.bundle"
is "... and has the same state" "$(digest e)" "$(digest b)"
on f
$FB init --device-label f > /dev/null
git -C "$T/a/repo.git" bundle create -q "$T/thin.bundle" "dev/$id_a~1..dev/$id_a" 2> /dev/null
is "a bundle needing history this laptop lacks: exit 1" "$(status $FB bundle read "$T/thin.bundle")" 1
like "... in plain words" "$(cat "$T/err")" "continues history this computer does not have"
ok "after the full bundle..." $FB bundle read "$T/a.bundle"
ok "... the thin bundle (prerequisites present) reads" $FB bundle read "$T/thin.bundle"
printf '# v2 git bundle\nzz refs/heads/x\n\n' > "$T/bad.bundle"
is "a malformed bundle: exit 1" "$(status $FB bundle read "$T/bad.bundle")" 1
like "... says which line" "$(cat "$T/err")" "bundle header line 2"
head -c 300 "$T/a.bundle" > "$T/cut.bundle"
is "a cut-short bundle: exit 1" "$(status $FB bundle read "$T/cut.bundle")" 1
is "... nothing changed" "$(digest f)" "$(digest a)"
ok "bundle create on b, read on a" sh -c "FIELDBOOK_HOME=$T/b $FB bundle create $T/b.bundle >/dev/null && FIELDBOOK_HOME=$T/a $FB bundle read $T/b.bundle"

# ---- forged and rewritten history ----
before=$(digest c)
git clone -q "$T/usb.git" "$T/forge" 2> /dev/null
g() { git -C "$T/forge" "$@"; }
g checkout -q -b forged "origin/dev/$id_a"
f1=log/$id_a/000/000001.chg
sed -i 's/13800138000/13999999999/' "$T/forge/$f1"
g commit -q -am "seal 9: forged"
bare "$T/forged.git"
g push -q "$T/forged.git" "forged:refs/heads/dev/$id_a"
on c
$FB remote add forged "$T/forged.git" > /dev/null
is "a modified change file: sync exits 1" "$(status $FB sync forged)" 1
like "... with an alarm in plain words" "$(cat "$T/err")" "branch dev/$id_a from remote forged was not accepted: .*modifies the change file $f1.*Nothing was overwritten.*Ask HQ"
is "... nothing changed" "$(digest c)" "$before"
is "... the branch is unchanged" "$(git -C "$T/c/repo.git" rev-parse dev/$id_a)" "$(git -C "$T/usb.git" rev-parse dev/$id_a)"
ok "... the forged commit is kept aside" git -C "$T/c/repo.git" rev-parse -q --verify "refs/fieldbook/quarantine/$id_a/1"
ok "syncing again: no new alarm" $FB sync forged
like "... says nothing new" "$(cat "$T/out")" "received 0 from 0 devices"

g checkout -q -b other "origin/dev/$id_b"
mkdir -p "$T/forge/log/$id_a/000"
cp "$T/forge/$f1" "$T/forge/log/$id_a/000/000007.chg" 2> /dev/null || git -C "$T/forge" show "origin/dev/$id_a:$f1" > "$T/forge/log/$id_a/000/000007.chg"
g add -A && g commit -q -m "seal 3: sneaky"
g push -q "$T/forged.git" "other:refs/heads/dev/$id_b"
is "a change file under another device's path: exit 1" "$(status $FB sync forged)" 1
like "... alarm names it" "$(cat "$T/err")" "under another device's path"
is "... nothing changed" "$(digest c)" "$before"

bare "$T/rewritten.git"
g checkout -q -b rw "origin/dev/$id_a"
g commit -q --amend -m "rewritten"
g push -q "$T/rewritten.git" "rw:refs/heads/dev/$id_a"
$FB remote add rw "$T/rewritten.git" > /dev/null
is "a rewritten branch: exit 1" "$(status $FB sync rw)" 1
like "... alarm says rewritten" "$(cat "$T/err")" "dev/$id_a from remote rw was not accepted: its history was rewritten"
is "... nothing changed" "$(digest c)" "$before"
is "... the remote's branch was not overwritten either" "$(git -C "$T/rewritten.git" rev-parse dev/$id_a)" "$(g rev-parse rw)"
ok "git fsck --strict: c's repository after the quarantines" fsck_ok "$T/c/repo.git"
ok "git fsck --strict: the remote" fsck_ok "$T/usb.git"

# A stick whose object is damaged: a change file's content no longer matches its id (a bad
# sector, a hand edit).  The objects of a path remote are copied odb to odb and named by
# the hash of what arrived, so the fetch fails in plain words and no ref moves.
git clone -q --bare "$T/usb.git" "$T/damaged.git"
git -C "$T/damaged.git" repack -q -a -d
mv "$T/damaged.git"/objects/pack/*.pack "$T/damaged.pack" # loose objects, one file each
rm -f "$T/damaged.git"/objects/pack/*
git -C "$T/damaged.git" unpack-objects -q < "$T/damaged.pack"
blob=$(git -C "$T/damaged.git" rev-parse "dev/$id_a:$(git -C "$T/damaged.git" ls-tree -r --name-only "dev/$id_a" -- log/ | head -1)")
f=$T/damaged.git/objects/${blob:0:2}/${blob:2}
chmod u+w "$f"
python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(b"blob 5\0forge"))' > "$f"
on dmg
$FB init --device-label dmg --operator op-dmg > /dev/null
$FB remote add damaged "$T/damaged.git" > /dev/null
before=$(digest dmg)
is "a stick with a damaged object: exit 1" "$(status $FB sync damaged)" 1
like "... says so" "$(cat "$T/err")" "could not fetch from remote damaged: object $blob of the other repository is damaged"
is "... nothing changed" "$(digest dmg)" "$before"
is "... no staging ref was set" "$(git -C "$T/dmg/repo.git" for-each-ref refs/fieldbook/staging/ | wc -l)" 0
ok "git fsck --strict: dmg's repository" fsck_ok "$T/dmg/repo.git"
echo "1..$n"
