#!/usr/bin/env python3
"""scan_plaintext.py NEEDLES_FILE PATH...: prints every place a needle (one a line, UTF-8)
occurs: in every object of each git repository (bare or not, via git cat-file
--batch-all-objects, every zlib stream inside an object inflated too), in every pack of a
bundle file (unbundled into a scratch repository), and in the bytes of any other file
(databases, WAL, key files).  Exit 0 when nothing is found, 1 when something is."""
import os, subprocess, sys, tempfile, zlib

needles = [l.strip().encode() for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
found = []

def inflations(data):
    """data and every zlib stream that starts at some offset of it."""
    yield data
    i = 0
    while True:
        i = data.find(b'\x78', i)
        if i < 0 or i + 2 > len(data):
            return
        if (data[i] * 256 + data[i + 1]) % 31 == 0:
            try:
                d = zlib.decompressobj()
                out = d.decompress(data[i:], 1 << 26)
                if out:
                    yield out
            except zlib.error:
                pass
        i += 1

def check(where, data):
    for blob in inflations(data):
        for nd in needles:
            if nd in blob:
                found.append(f'{where}: {nd.decode()}')

def scan_repo(repo, label):
    out = subprocess.run(['git', '-C', repo, 'cat-file', '--batch-all-objects', '--batch'],
                         capture_output=True, check=True).stdout
    i = count = 0
    while i < len(out):
        nl = out.index(b'\n', i)
        oid, typ, size = out[i:nl].split()
        size = int(size)
        check(f'{label} {typ.decode()} {oid.decode()[:12]}', out[nl + 1:nl + 1 + size])
        i = nl + 1 + size + 1
        count += 1
    return count

total = 0
for path in sys.argv[2:]:
    if os.path.isdir(path) and (os.path.exists(os.path.join(path, 'objects')) or
                                os.path.exists(os.path.join(path, '.git'))):
        total += scan_repo(path, path)
    elif os.path.isdir(path):
        for root, _, files in os.walk(path):
            for f in files:
                p = os.path.join(root, f)
                check(p, open(p, 'rb').read())
    else:
        data = open(path, 'rb').read()
        check(path, data)
        if data.startswith(b'# v2 git bundle') or data.startswith(b'# v3 git bundle'):
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(['git', 'init', '-q', '--bare', tmp], check=True)
                subprocess.run(['git', '-C', tmp, 'bundle', 'unbundle', os.path.abspath(path)],
                               capture_output=True, check=True)
                total += scan_repo(tmp, path)
print(f'# scanned {total} git objects')
for f in found:
    print(f'# FOUND {f}')
sys.exit(1 if found else 0)
