<?php
// Test oracle for tests/integration/test_version_oracles.sh (not project code): reads
// "A B" pairs on stdin, prints "<", "=", ">" or "ERR" using composer/semver (Debian's
// php-composer-semver): VersionParser::normalize, then Comparator.
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\Semver\VersionParser;
use Composer\Semver\Comparator;
$p = new VersionParser();
while (($line = fgets(STDIN)) !== false) {
    $line = rtrim($line, "\n");
    $i = strpos($line, ' ');
    $a = substr($line, 0, $i);
    $b = substr($line, $i + 1);
    try {
        $na = $p->normalize($a);
        $nb = $p->normalize($b);
    } catch (\Exception $e) {
        echo "ERR\n";
        continue;
    }
    if (Comparator::lessThan($na, $nb)) echo "<\n";
    elseif (Comparator::greaterThan($na, $nb)) echo ">\n";
    elseif (Comparator::equalTo($na, $nb)) echo "=\n";
    else echo "ERR\n";
}
