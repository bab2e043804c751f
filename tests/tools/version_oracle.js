// Test oracle for tests/integration/test_version_oracles.sh (not project code): reads
// "A B" pairs on stdin, prints "<", "=", ">" or "ERR" using node-semver in strict mode.
// NODE_PATH must point at a node_modules holding the semver package.
const semver = require('semver');
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const out = [];
for (const line of lines) {
  const i = line.indexOf(' ');
  const a = line.slice(0, i), b = line.slice(i + 1);
  if (semver.valid(a) === null || semver.valid(b) === null) { out.push('ERR'); continue; }
  const c = semver.compare(a, b);
  out.push(c < 0 ? '<' : (c > 0 ? '>' : '='));
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
