#!/usr/bin/python3
"""app_layers.py - helpers for tests/images/app.sh (never reads drydock output).

  app_layers.py diff OLD.tar NEW.tar > LAYER.tar
        The layer that turns rootfs OLD into rootfs NEW, as `docker build` records an
        `apt-get install` RUN step: every entry that is new or changed (type, mode, owner,
        size, content, link target), the parent directories of those, hard-link targets, and
        `.wh.<name>` whiteouts for the top-most entries that disappeared. Names without "./".
        Streaming (one entry in memory at a time); PAX tar on stdout.

  app_layers.py python ROOT LAYER_INDEX
        The expected Python inventory of the directory tree ROOT, read with the standard
        library's importlib.metadata (the same reader pip uses) from every dist-packages /
        site-packages directory below ROOT. One TSV line per distribution:
        "pypi <PEP 503 name> <version> <metadata file path relative to ROOT> <LAYER_INDEX>",
        where the metadata file is <dir>.dist-info/METADATA, <dir>.egg-info/PKG-INFO or the
        plain <file>.egg-info (distutils' form, which Debian ships).
"""

import hashlib
import importlib.metadata
import io
import os
import re
import sys
import tarfile

MTIME = 1700000000


def norm(name):
    while name.startswith("./"):
        name = name[2:]
    return name.rstrip("/")


def signature(tf, m):
    digest = None
    if m.isreg():
        h = hashlib.sha256()
        f = tf.extractfile(m)
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
        digest = h.hexdigest()
    return (m.type, m.mode, m.uid, m.gid, m.size, m.linkname, digest)


def cmd_diff(old_path, new_path):
    old_sig = {}
    with tarfile.open(old_path, "r:") as old:
        for m in old:
            n = norm(m.name)
            if n:
                old_sig[n] = signature(old, m)
    new = tarfile.open(new_path, "r:")
    members = [m for m in new.getmembers() if norm(m.name)]
    by_name = {norm(m.name): m for m in members}
    emit = {norm(m.name) for m in members if old_sig.get(norm(m.name)) != signature(new, m)}
    for m in members:
        if norm(m.name) in emit and m.islnk():
            emit.add(norm(m.linkname))
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
    gone = sorted(n for n in old_sig if n not in by_name)
    gone_set = set(gone)
    for n in gone:
        parent, _, base = n.rpartition("/")
        if parent in gone_set:
            continue
        wh = tarfile.TarInfo((parent + "/" if parent else "") + ".wh." + base)
        wh.mtime = MTIME
        out.addfile(wh, io.BytesIO(b""))
    out.close()
    sys.stdout.buffer.flush()


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def cmd_python(root, layer):
    rows = set()
    for dirpath, dirnames, _ in os.walk(root):
        base = os.path.basename(dirpath)
        if base not in ("dist-packages", "site-packages"):
            continue
        for dist in importlib.metadata.distributions(path=[dirpath]):
            p = str(dist._path)  # the .dist-info / .egg-info directory or file
            if os.path.isdir(p):
                p = os.path.join(p, "METADATA" if p.endswith(".dist-info") else "PKG-INFO")
            rel = os.path.relpath(p, root)
            rows.add(("pypi", pep503(dist.metadata["Name"]), dist.version, rel, layer))
        dirnames[:] = []
    for r in sorted(rows):
        print("\t".join(r))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "diff":
        cmd_diff(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "python":
        cmd_python(sys.argv[2], sys.argv[3])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
