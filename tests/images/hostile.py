#!/usr/bin/env python3
"""hostile.py - write the hostile layer blobs used by tiny.sh (stdlib only).

Usage: hostile.py OUTDIR

Writes, for each hostile layer NAME, OUTDIR/NAME.blob (the bytes to push) and OUTDIR/NAME.diffid
("sha256:<hex>" of the uncompressed tar as it would be had nothing gone wrong), then
OUTDIR/done. Everything is deterministic: tiny.sh caches OUTDIR keyed by this file's sha256.

Tar headers are written by hand (ustar) instead of with tarfile, so that names GNU tar and
tarfile would refuse or rewrite ("../../etc/passwd", "/abs/path") come out exactly as given.

Layers:
  traversal    gzip tar: "../../etc/passwd", "/abs/path", plus a normal os-release and
               dpkg status
  bomb         gzip tar whose single member var/lib/dpkg/status holds 2 GiB of zeros; the
               compressed blob is ~2 MB. Built from one deflate chunk repeated: after
               Z_FULL_FLUSH the compressor has no history, so each 1 MiB of zeros compresses to
               the same bytes, and 2 GiB are never held or written.
  truncated    a gzip layer (os-release, 256 KiB of incompressible filler, dpkg status) cut in
               half; .diffid is the full tar's
  manyentries  gzip tar with 300,000 empty files, then os-release and dpkg status
  bigstatus    gzip tar whose var/lib/dpkg/status is ~640 MiB of valid stanzas (~330k
               packages) at ~110:1, so no ratio guard stops it: the readers' own caps must
  umocibroken  gzip tar with no end-of-archive blocks and no padding after the last member
               (what umoci 0.4.7 `insert` writes); os-release and dpkg status are complete
"""

import gzip
import hashlib
import os
import struct
import sys
import zlib

BLOCK = 512

OS_RELEASE = b"""PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""

STATUS = b"""Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 341
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 12.4+deb12u5
Replaces: base, dpkg (<= 1.15.0), miscutils
Provides: base
Conffiles:
 /etc/debian_version 2f1c4b4b5e4b7e2c8c4f5a3d6e9b1a7c
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system, and
 several important miscellaneous files, such as /etc/debian_version,
 /etc/host.conf, /etc/issue, /etc/motd, /etc/profile, and others,
 and the text of several common licenses in use on Debian systems.

Package: mawk
Status: install ok installed
Priority: required
Section: interpreters
Installed-Size: 263
Maintainer: Boyuan Yang <byang@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 1.3.4.20200120-3.1
Depends: libc6 (>= 2.34)
Provides: awk
Description: Pattern scanning and text processing language
 Mawk is an interpreter for the AWK Programming Language.
Homepage: https://invisible-island.net/mawk/

"""


def octal(value, width):
    """NUL-terminated zero-padded octal field of `width` bytes."""
    return ("%0*o" % (width - 1, value)).encode() + b"\0"


def header(name, size=0, mode=0o644, typeflag=b"0", linkname=b""):
    """One ustar header block; `name` is bytes and may be anything up to 100 bytes."""
    if len(name) > 100:
        raise ValueError("name too long for this generator")
    h = bytearray(BLOCK)
    h[0 : len(name)] = name
    h[100:108] = octal(mode, 8)
    h[108:116] = octal(0, 8)
    h[116:124] = octal(0, 8)
    h[124:136] = octal(size, 12)
    h[136:148] = octal(0, 12)
    h[148:156] = b" " * 8
    h[156:157] = typeflag
    h[157 : 157 + len(linkname)] = linkname
    h[257:265] = b"ustar\x0000"
    h[265:269] = b"root"
    h[297:301] = b"root"
    csum = sum(h)
    h[148:156] = ("%06o" % csum).encode() + b"\0 "
    return bytes(h)


def member(name, data, mode=0o644):
    pad = (-len(data)) % BLOCK
    return header(name, len(data), mode) + data + b"\0" * pad


def directory(name):
    return header(name, 0, 0o755, b"5")


END = b"\0" * (2 * BLOCK)


def gz(data):
    # mtime=0 and no file name: byte-stable
    return gzip.compress(data, compresslevel=6, mtime=0)


def write(outdir, name, blob, diff_id):
    with open(os.path.join(outdir, name + ".blob"), "wb") as f:
        f.write(blob)
    with open(os.path.join(outdir, name + ".diffid"), "w") as f:
        f.write(diff_id + "\n")


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def base_members():
    return (
        directory(b"etc/")
        + member(b"etc/os-release", OS_RELEASE)
        + directory(b"var/")
        + directory(b"var/lib/")
        + directory(b"var/lib/dpkg/")
        + member(b"var/lib/dpkg/status", STATUS)
    )


def make_traversal(outdir):
    tar = (
        member(b"../../etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        + member(b"/abs/path", b"absolute\n")
        + base_members()
        + END
    )
    write(outdir, "traversal", gz(tar), sha(tar))


def make_bomb(outdir):
    total = 2 << 30  # 2 GiB of zeros
    chunk_len = 1 << 20
    zeros = bytes(chunk_len)
    head = header(b"var/lib/dpkg/status", total)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [co.compress(head), co.flush(zlib.Z_FULL_FLUSH)]
    chunk = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    # the claim the whole trick rests on: a chunk after a full flush is state-independent
    again = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    if chunk != again:
        raise RuntimeError("deflate chunk is not repeatable")
    n = total // chunk_len
    parts.append(chunk * n)
    parts.append(co.compress(END) + co.flush(zlib.Z_FINISH))
    crc = zlib.crc32(head)
    h = hashlib.sha256(head)
    for _ in range(n):
        crc = zlib.crc32(zeros, crc)
        h.update(zeros)
    crc = zlib.crc32(END, crc)
    h.update(END)
    usize = len(head) + total + len(END)
    gzhead = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"
    blob = gzhead + b"".join(parts) + struct.pack("<II", crc, usize & 0xFFFFFFFF)
    # sanity: the stream must inflate back to the header we wrote
    d = zlib.decompressobj(31)
    if d.decompress(blob[:4096], BLOCK)[:BLOCK] != head:
        raise RuntimeError("bomb does not start with its header")
    write(outdir, "bomb", blob, "sha256:" + h.hexdigest())


def make_bigstatus(outdir):
    """var/lib/dpkg/status of ~640 MiB of well-formed stanzas at a modest ratio (~110:1).

    Unlike the bomb, this stays under any sane ratio guard: it checks that the dpkg reader (or
    the layer walker) caps what it buffers and how many packages it keeps. Same repeat trick as
    the bomb: one ~1 MiB chunk of whole stanzas, compressed once after a full flush.
    """
    stanzas = []
    size = 0
    i = 0
    while size < (1 << 20):
        noise = hashlib.sha256(b"bigstatus-%d" % i).hexdigest()[:12]
        st = (
            "Package: big%05d\nStatus: install ok installed\nPriority: optional\n"
            "Section: misc\nArchitecture: amd64\nVersion: 1.0-%s\nDescription: filler\n"
            % (i, noise)
            + " .\n" * 600
            + "\n"
        ).encode()
        stanzas.append(st)
        size += len(st)
        i += 1
    chunk_raw = b"".join(stanzas)
    reps = (640 << 20) // len(chunk_raw)
    total = reps * len(chunk_raw)
    pad = (-total) % BLOCK
    head = (
        directory(b"etc/")
        + member(b"etc/os-release", OS_RELEASE)
        + directory(b"var/")
        + directory(b"var/lib/")
        + directory(b"var/lib/dpkg/")
        + header(b"var/lib/dpkg/status", total)
    )
    tail = b"\0" * pad + END
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    parts = [co.compress(head), co.flush(zlib.Z_FULL_FLUSH)]
    chunk = co.compress(chunk_raw) + co.flush(zlib.Z_FULL_FLUSH)
    if co.compress(chunk_raw) + co.flush(zlib.Z_FULL_FLUSH) != chunk:
        raise RuntimeError("deflate chunk is not repeatable")
    parts.append(chunk * reps)
    parts.append(co.compress(tail) + co.flush(zlib.Z_FINISH))
    crc = zlib.crc32(head)
    h = hashlib.sha256(head)
    for _ in range(reps):
        crc = zlib.crc32(chunk_raw, crc)
        h.update(chunk_raw)
    crc = zlib.crc32(tail, crc)
    h.update(tail)
    usize = len(head) + total + len(tail)
    gzhead = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
    blob = gzhead + b"".join(parts) + struct.pack("<II", crc, usize & 0xFFFFFFFF)
    write(outdir, "bigstatus", blob, "sha256:" + h.hexdigest())


def filler(n):
    """n bytes that do not compress: sha256 in counter mode."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"drydock-filler-%d" % i).digest()
        i += 1
    return bytes(out[:n])


def make_truncated(outdir):
    tar = (
        directory(b"etc/")
        + member(b"etc/os-release", OS_RELEASE)
        + directory(b"usr/")
        + member(b"usr/filler", filler(256 << 10))
        + directory(b"var/")
        + directory(b"var/lib/")
        + directory(b"var/lib/dpkg/")
        + member(b"var/lib/dpkg/status", STATUS)
        + END
    )
    blob = gz(tar)
    write(outdir, "truncated", blob[: len(blob) // 2], sha(tar))


def make_manyentries(outdir):
    n = 300000
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    h = hashlib.sha256()
    out = []

    def emit(data):
        h.update(data)
        out.append(co.compress(data))

    emit(directory(b"etc/") + member(b"etc/os-release", OS_RELEASE) + directory(b"usr/"))
    emit(directory(b"usr/many/"))
    template = header(b"usr/many/000000")
    base_sum = sum(template) - sum(b"000000") - sum(template[148:156]) + 8 * ord(" ")
    batch = []
    for i in range(n):
        digits = b"%06d" % i
        csum = base_sum + sum(digits)
        batch.append(
            template[:9]
            + digits
            + template[15:148]
            + ("%06o" % csum).encode()
            + b"\0 "
            + template[156:]
        )
        if len(batch) == 10000:
            emit(b"".join(batch))
            batch = []
    emit(b"".join(batch))
    emit(
        directory(b"var/")
        + directory(b"var/lib/")
        + directory(b"var/lib/dpkg/")
        + member(b"var/lib/dpkg/status", STATUS)
        + END
    )
    out.append(co.flush())
    # gzip's header from zlib wbits=31 carries mtime 0 and no name: byte-stable
    write(outdir, "manyentries", b"".join(out), "sha256:" + h.hexdigest())
    if header(b"usr/many/000123") != template[:9] + b"000123" + template[15:148] + (
        "%06o" % (base_sum + sum(b"000123"))
    ).encode() + b"\0 " + template[156:]:
        raise RuntimeError("manyentries header shortcut is wrong")


def make_umocibroken(outdir):
    last = b"written by umoci insert\n"  # 24 bytes: a short final member
    tar = base_members() + header(b"zz-last", len(last)) + last  # no padding, no END
    write(outdir, "umocibroken", gz(tar), sha(tar))


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: hostile.py OUTDIR\n")
        return 2
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    make_traversal(outdir)
    make_truncated(outdir)
    make_umocibroken(outdir)
    make_manyentries(outdir)
    make_bomb(outdir)
    make_bigstatus(outdir)
    with open(os.path.join(outdir, "done"), "w") as f:
        f.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
