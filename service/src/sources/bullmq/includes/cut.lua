-- cut(v, n): v cut to at most n bytes without splitting a UTF-8 sequence (nil stays nil).
local function cut(v, n)
  if not v or #v <= n then return v end
  local e = n
  local b = string.byte(v, e + 1)
  while e > 0 and b and b >= 128 and b < 192 do
    e = e - 1
    b = string.byte(v, e + 1)
  end
  return string.sub(v, 1, e)
end
