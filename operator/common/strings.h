// Small string helpers for messages (conditions, Events, errors), so each
// reconciler does not carry its own copy.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dw {

// "a, b, c" for sep ", ".
std::string Join(const std::vector<std::string>& v, std::string_view sep);

// The first `limit` items joined by `sep`, then `more_sep` + "and N more"
// when there were more: JoinFirst({a,b,c}, ", ", 2, " ") is "a, b and 1 more".
std::string JoinFirst(const std::vector<std::string>& v, std::string_view sep, size_t limit,
                      std::string_view more_sep);

// `s` cut to at most `max` bytes on a UTF-8 character boundary, with "..."
// appended when it was cut (condition messages have a size limit and must
// stay valid UTF-8).
std::string Truncate(std::string s, size_t max);

}  // namespace dw
