#!/usr/bin/python3
"""Pair generator for tests/integration/test_version_oracles.sh (not project code).

usage: version_pairs.py SCHEME COUNT
Collects real version strings for SCHEME from this machine (dpkg-query, apt-cache) and
from ../shared/data (OSV fixtures and bulk records; whatever is present), then prints up to
COUNT "A B" pairs: neighbours in sorted order (similar strings, the tricky cases) and
seeded random pairs. Deterministic for a given input.
"""
import glob
import json
import os
import random
import re
import subprocess
import sys
import zipfile

SRC = os.environ.get("DD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SRC, "..", "shared", "data")
FIX = os.path.join(DATA, "osv-fixtures")
BENCH = os.path.join(DATA, "osv-bench")


def fixture_versions(name):
    out = []
    path = os.path.join(FIX, "versions", name)
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            parts = line.split()
            if len(parts) == 3:
                out += [parts[0], parts[2]]
    return out


def osv_records(ecosystem):
    zpath = os.path.join(BENCH, ecosystem, "all.zip")
    if os.path.exists(zpath):
        with zipfile.ZipFile(zpath) as z:
            for n in z.namelist():
                try:
                    yield json.loads(z.read(n))
                except ValueError:
                    pass
    for p in glob.glob(os.path.join(FIX, "osv", ecosystem, "*.json")):
        try:
            yield json.load(open(p, encoding="utf-8"))
        except ValueError:
            pass


def osv_versions(ecosystem):
    out = []
    for rec in osv_records(ecosystem):
        for aff in rec.get("affected", []):
            out += aff.get("versions", [])
            for r in aff.get("ranges", []):
                if r.get("type") == "GIT":
                    continue
                for ev in r.get("events", []):
                    for k in ("introduced", "fixed", "last_affected"):
                        if k in ev and ev[k] != "0":
                            out.append(ev[k])
    return out


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.split("\n")
    except OSError:
        return []


def pool(scheme):
    if scheme == "dpkg":
        v = run("dpkg-query -W -f '${Version}\\n'")
        v += [l.split(" ", 1)[1] for l in run("apt-cache dumpavail") if l.startswith("Version: ")]
        v += fixture_versions("debian-versions-generated.txt") + osv_versions("Debian")
    elif scheme == "rpm":
        v = osv_versions("AlmaLinux") + fixture_versions("redhat-versions.txt")
    elif scheme == "go":
        v = osv_versions("Go")
    elif scheme == "pep440":
        v = osv_versions("PyPI") + fixture_versions("pypi-versions-generated.txt")
    elif scheme == "semver":
        v = osv_versions("crates.io") + osv_versions("Bitnami") + osv_versions("npm")
        v += fixture_versions("semver-versions.txt")
    elif scheme == "maven":
        v = fixture_versions("maven-versions-generated.txt") + osv_versions("Maven")
    elif scheme == "gem":
        v = fixture_versions("rubygems-versions-generated.txt")
    elif scheme == "composer":
        v = fixture_versions("packagist-versions-generated.txt")
    else:
        sys.exit("unknown scheme " + scheme)
    return sorted({x.strip() for x in v if x.strip() and " " not in x.strip() and len(x) < 200})


def synth_one(scheme, r):
    """One random, often tricky, version-like string for scheme."""
    ch = r.choice

    def num():
        return ch(["0", "1", "2", "9", "10", "01", "00", "123", "2023", "99999999999"])

    if scheme == "maven":
        toks = [num(), num(), "a", "b", "m", "alpha", "beta", "milestone", "rc", "cr", "snapshot",
                "ga", "final", "release", "sp", "x", "foo", "RC", "Final", "SP", "SNAPSHOT"]
        s = "".join(ch(toks) + ch([".", "-", "", "."]) for _ in range(r.randint(1, 6)))
        return s.rstrip(".-") or "1"
    if scheme == "pep440":
        s = ch(["", "", "v", "V"]) + ch(["", "", "1!", "0!"])
        s += ".".join(num() for _ in range(r.randint(1, 4)))
        if r.random() < 0.5:
            s += ch(["", ".", "-", "_"]) + ch(["a", "b", "c", "rc", "alpha", "beta", "pre",
                                              "preview", "A", "RC"]) + ch(["", num(), "." + num()])
        if r.random() < 0.4:
            s += ch(["-1", ".post1", "post", "-r2", "rev", "_post_3", ".post.", "-post-2"])
        if r.random() < 0.4:
            s += ch([".dev", "dev1", "-dev-2", "_dev", ".DEV3"])
        if r.random() < 0.3:
            s += ch(["+abc", "+1.2", "+ubuntu-1", "+A.b_3", "+", "+1..2", "+a-"])
    elif scheme == "gem":
        s = num() + "".join(ch([".", ".", "-", ""]) + ch([num(), "a", "b", "pre", "rc", "A", "beta"])
                            for _ in range(r.randint(0, 5)))
    elif scheme == "composer":
        if r.random() < 0.15:
            s = ch(["2023", "20230101", "2023.01.01", "2023-01-01-1200", "2023.1"])
        else:
            s = ch(["", "", "v", "V"]) + ".".join(num() for _ in range(r.randint(1, 5)))
        s += ch(["", "", "-beta", "beta1", "-RC2", ".alpha.3", "-p1", "-pl", "patch2", "-stable",
                 "-dev", "-beta1-dev", "@dev", "+build", ".x-dev", "-BETA.1", "-a1", "rc",
                 "-b.2-3", "_alpha", "-STABLE", "@stable", "-alpha1.dev", "x"])
        if r.random() < 0.05:
            s = ch(["dev-master", "master", "dev-feature/x", "1.x-dev", "2.1.*-dev", "v3.X-dev"])
    elif scheme in ("semver", "go"):
        s = ch(["", "", "v"]) + ".".join(num() for _ in range(ch([1, 2, 3, 3, 3, 4])))
        if r.random() < 0.5:
            s += "-" + ".".join(ch([num(), "alpha", "beta", "rc", "x-y", "0a", "A", ""])
                                for _ in range(r.randint(1, 3)))
        if r.random() < 0.3:
            s += "+" + ch(["incompatible", "build.1", "001", "", "a..b"])
        if scheme == "go" and r.random() < 0.1:
            s = "v0.0.0-2021%02d01000000-abcdef12345%d" % (r.randint(1, 12), r.randint(0, 9))
    elif scheme == "rpm":
        s = ch(["", "", "1:", "0:", "10:"]) + "".join(
            ch([num(), "a", "b", "el", "rc", "~", "^", ".", "_", "+", "~rc", "^git"])
            for _ in range(r.randint(1, 6)))
        if r.random() < 0.5:
            s += "-" + "".join(ch([num(), ".el", "9", "~", "^", "."]) for _ in range(r.randint(1, 3)))
    elif scheme == "dpkg":
        s = ch(["", "", "1:", "0:", "10:"]) + num() + "".join(
            ch([num(), "a", "b", "~", "+", ".", "~rc", "+dfsg", "A", "Z", ":"])
            for _ in range(r.randint(0, 5)))
        if r.random() < 0.6:
            s += "-" + ch(["1", "0ubuntu1", "1~bpo", "1+deb12u1", "2.1", "0", "~", "1.0~"])
    else:
        sys.exit("unknown scheme " + scheme)
    if scheme not in ("dpkg", "maven") and r.random() < 0.1:
        i = r.randint(0, len(s))
        s = s[:i] + ch([".", "-", "_", "+", "a", "1", "!", "~"]) + s[i:]
    return s.strip() or "1"


def synth(scheme, count):
    r = random.Random(1789)
    vs = [synth_one(scheme, r) for _ in range(count)]
    for i in range(count):
        a = vs[i]
        b = vs[r.randrange(count)] if i % 2 else synth_one(scheme, r)
        print(a, b)


def main():
    if sys.argv[1] == "synth":
        synth(sys.argv[2], int(sys.argv[3]))
        return
    scheme, count = sys.argv[1], int(sys.argv[2])
    vs = pool(scheme)
    if len(vs) < 2:
        return
    rnd = random.Random(440)
    pairs = []
    # neighbours in sorted order, both ways round
    for i in range(len(vs) - 1):
        pairs.append((vs[i], vs[i + 1]) if i % 2 else (vs[i + 1], vs[i]))
    rnd.shuffle(pairs)
    pairs = pairs[: count // 2]
    while len(pairs) < count:
        pairs.append((rnd.choice(vs), rnd.choice(vs)))
    # a few self-comparisons
    for x in rnd.sample(vs, min(20, len(vs))):
        pairs.append((x, x))
    for a, b in pairs:
        print(a, b)


main()
