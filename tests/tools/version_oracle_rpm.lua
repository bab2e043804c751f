-- Test oracle for tests/integration/test_version_oracles.sh (not project code), run by
-- rpm --eval: reads "A B" pairs from the file named by the macro pairs, writes "<", "=",
-- ">" or "ERR" per line using rpm.vercmp (rpmverCmp on parsed EVR strings).
local out = {}
for line in io.lines(rpm.expand("%{pairs}")) do
  local a, b = line:match("^(%S*) (.*)$")
  local ok, c = pcall(rpm.vercmp, a, b)
  if not ok then out[#out + 1] = "ERR"
  elseif c < 0 then out[#out + 1] = "<"
  elseif c > 0 then out[#out + 1] = ">"
  else out[#out + 1] = "=" end
end
local f = io.open(rpm.expand("%{outfile}"), "w")
f:write(table.concat(out, "\n"), "\n")
f:close()
