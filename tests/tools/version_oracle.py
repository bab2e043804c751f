#!/usr/bin/python3
"""Test oracle for tests/integration/test_version_oracles.sh (not project code).

usage: version_oracle.py dpkg|pep440 < pairs   ("A B" per line)
prints "<", "=", ">" or "ERR" per line, using the real implementations:
  dpkg   - python3-apt's apt_pkg.version_compare (dpkg's algorithm)
  pep440 - python3-packaging's packaging.version.Version
"""
import sys


def sign(x):
    return "<" if x < 0 else (">" if x > 0 else "=")


def main():
    scheme = sys.argv[1]
    if scheme == "dpkg":
        import apt_pkg
        apt_pkg.init_system()

        def cmp(a, b):
            return sign(apt_pkg.version_compare(a, b))
    elif scheme == "pep440":
        from packaging.version import Version, InvalidVersion

        def cmp(a, b):
            try:
                va, vb = Version(a), Version(b)
            except InvalidVersion:
                return "ERR"
            return sign((va > vb) - (va < vb))
    else:
        sys.exit("unknown scheme " + scheme)
    out = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        a, _, b = line.partition(" ")
        out.append(cmp(a, b))
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


main()
