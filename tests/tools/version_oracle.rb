# Test oracle for tests/integration/test_version_oracles.sh (not project code):
# reads "A B" pairs on stdin, prints "<", "=", ">" or "ERR" using RubyGems' Gem::Version.
require 'rubygems'
STDIN.each_line do |line|
  a, b = line.chomp.split(' ', 2)
  begin
    c = Gem::Version.new(a) <=> Gem::Version.new(b)
    puts(c < 0 ? '<' : (c > 0 ? '>' : '='))
  rescue ArgumentError
    puts 'ERR'
  end
end
