#!/usr/bin/python3
"""layers.py - write benchmark layer tars to stdout, streaming (never a whole layer in memory).

  layers.py diff OLD.tar NEW.tar   the layer that turns rootfs OLD into rootfs NEW, the way
                                   `docker build` records a RUN step: every entry that is new
                                   or changed (type, mode, owner, size, content, link target),
                                   its parent directories, and `.wh.<name>` whiteouts for the
                                   top-most entries that disappeared.
  layers.py big BASE.tar BYTES     a large synthetic-but-realistic layer of at least BYTES of
                                   file data: the rootfs's etc/os-release and
                                   var/lib/dpkg/status (so scanners find the same Debian
                                   inventory), ~1/3 incompressible binaries (seeded PRNG, 1-48
                                   MiB each), many small text/config files, and copies of the
                                   rootfs's usr/ tree (real ELF, perl, data) under opt/appN/.

Deterministic for a given input (fixed seed, mtime 1700000000, owner 0/0) so cached layers
are reproducible. Output is a PAX tar without compression; the caller pipes it into gzip.
Package databases (var/lib/dpkg, *.dist-info, ...) are not copied into opt/appN/ so that the
inventory of the big image is exactly the base's.
"""

import hashlib
import io
import random
import sys
import tarfile

MTIME = 1700000000


def norm(name):
    while name.startswith("./"):
        name = name[2:]
    return name.rstrip("/")


def digest_member(tf, m):
    if not m.isreg():
        return None
    h = hashlib.sha256()
    f = tf.extractfile(m)
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        h.update(chunk)
    return h.hexdigest()


def signature(tf, m):
    return (m.type, m.mode, m.uid, m.gid, m.size, m.linkname, digest_member(tf, m))


def cmd_diff(old_path, new_path):
    old = tarfile.open(old_path, "r:")
    old_sig = {}
    for m in old:
        n = norm(m.name)
        if n:
            old_sig[n] = signature(old, m)
    new = tarfile.open(new_path, "r:")
    members = [m for m in new.getmembers() if norm(m.name)]
    by_name = {norm(m.name): m for m in members}
    emit = set()
    for m in members:
        n = norm(m.name)
        if old_sig.get(n) != signature(new, m):
            emit.add(n)
    # A hard link whose target is not in this layer would dangle: bring the target along.
    for m in members:
        n = norm(m.name)
        if n in emit and m.islnk():
            emit.add(norm(m.linkname))
    # Parent directories of everything emitted (docker layers carry them too).
    for n in list(emit):
        p = n.rpartition("/")[0]
        while p and p not in emit and p in by_name:
            emit.add(p)
            p = p.rpartition("/")[0]
    out = tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.PAX_FORMAT)
    for m in members:
        n = norm(m.name)
        if n not in emit:
            continue
        m.name = n
        if m.islnk():
            m.linkname = norm(m.linkname)
        out.addfile(m, new.extractfile(m) if m.isreg() else None)
    new_names = set(by_name)
    gone = sorted(n for n in old_sig if n not in new_names)
    gone_set = set(gone)
    for n in gone:
        parent, _, base = n.rpartition("/")
        if parent in gone_set:
            continue  # hidden by the parent's whiteout
        wh = tarfile.TarInfo((parent + "/" if parent else "") + ".wh." + base)
        wh.mtime = MTIME
        out.addfile(wh, io.BytesIO(b""))
    out.close()
    sys.stdout.buffer.flush()


class RandStream(io.RawIOBase):
    """size bytes from a seeded PRNG, produced 1 MiB at a time."""

    def __init__(self, rng, size):
        self.rng = rng
        self.left = size
        self.buf = b""

    def readable(self):
        return True

    def read(self, n=-1):
        if self.left <= 0:
            return b""
        if n < 0 or n > self.left:
            n = self.left
        while len(self.buf) < n:
            self.buf += self.rng.randbytes(1 << 20)
        chunk, self.buf = self.buf[:n], self.buf[n:]
        self.left -= n
        return chunk


WORDS = (
    "config server port timeout retry cache layer image digest manifest token user group "
    "version release stable debug info warn error path listen address worker queue stream "
    "tls cert key value enabled disabled default include exclude pattern region zone"
).split()


def text_blob(rng, size):
    lines = []
    n = 0
    while n < size:
        k = rng.choice(WORDS)
        v = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))
        line = "%s_%d = %s  # %08x\n" % (k, rng.randint(0, 999), v, rng.getrandbits(32))
        lines.append(line)
        n += len(line)
    return "".join(lines).encode()[:size]


def skip_copy(n):
    if n.startswith("var/lib/dpkg") or n.startswith("usr/share/doc"):
        return True
    return any(s in n for s in (".dist-info", ".egg-info", "package.json", ".jar", "rpmdb"))


def cmd_big(base_path, target):
    rng = random.Random(20240601)
    base = tarfile.open(base_path, "r:")
    members = [m for m in base.getmembers() if norm(m.name)]
    out = tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.PAX_FORMAT)
    written = 0
    made_dirs = set()

    def add_dir(path):
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d in made_dirs:
                continue
            made_dirs.add(d)
            ti = tarfile.TarInfo(d)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            ti.mtime = MTIME
            out.addfile(ti)

    def add_file(path, size, fileobj, mode=0o644):
        nonlocal written
        parent = path.rpartition("/")[0]
        if parent:
            add_dir(parent)
        ti = tarfile.TarInfo(path)
        ti.size = size
        ti.mode = mode
        ti.mtime = MTIME
        out.addfile(ti, fileobj)
        written += size

    # 1. The OS identity and package database of the base, exactly as they are there.
    keep = ("etc/os-release", "usr/lib/os-release", "etc/debian_version", "var/lib/dpkg/status")
    for m in members:
        n = norm(m.name)
        if n in keep or n.startswith("var/lib/dpkg/info/") and n.endswith(".list"):
            if m.isreg():
                add_file(n, m.size, base.extractfile(m), m.mode)
            elif m.issym():
                add_dir(n.rpartition("/")[0])
                ti = tarfile.TarInfo(n)
                ti.type = tarfile.SYMTYPE
                ti.linkname = m.linkname
                ti.mtime = MTIME
                out.addfile(ti)

    # 2. Interleave: incompressible blobs, bursts of small text files, copies of usr/.
    usr = [m for m in members if norm(m.name).startswith("usr/") and m.isreg()]
    usr = [m for m in usr if not skip_copy(norm(m.name))]
    blob_i = small_i = copy_i = 0
    while written < target:
        # ~30% incompressible: one blob of 1-48 MiB
        size = rng.randint(1, 48) << 20
        add_file("opt/models/blob-%04d.bin" % blob_i, size, RandStream(rng, size))
        blob_i += 1
        # ~10%: 2,000 small config/text files of 200 B - 12 KiB
        for _ in range(2000):
            size = rng.randint(200, 12 << 10)
            data = text_blob(rng, size)
            add_file(
                "srv/site/%03d/%05d.conf" % (small_i // 1000, small_i), len(data), io.BytesIO(data)
            )
            small_i += 1
        # ~60%: a slice of the base's usr/ tree, re-rooted
        start = (copy_i * 997) % len(usr)
        for m in usr[start : start + 2500]:
            add_file("opt/app%d/%s" % (copy_i, norm(m.name)), m.size, base.extractfile(m), m.mode)
        copy_i += 1
    out.close()
    sys.stdout.buffer.flush()
    sys.stderr.write(
        "big layer: %d bytes of file data, %d blobs, %d small files, %d usr slices\n"
        % (written, blob_i, small_i, copy_i)
    )


def main(argv):
    if len(argv) == 4 and argv[1] == "diff":
        cmd_diff(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "big":
        cmd_big(argv[2], int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
