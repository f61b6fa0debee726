// "did you mean 'temp'?": the closest known name to a misspelt one, for error messages about unknown columns, tables,
// types and functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floe::sql {

// The candidate closest to `name` by edit distance ignoring case, when it is close enough to be a likely typo (at
// most max(2, length / 3) edits; a difference in case alone always counts). Ties go to the earlier candidate.
std::optional<std::string> ClosestName(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace floe::sql
