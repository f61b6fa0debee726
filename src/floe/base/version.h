// The floe version, fixed at build time.
#pragma once

#include <string_view>

namespace floe {

std::string_view Version();    // "0.1.0"
std::string_view GitCommit();  // short commit hash, or "unknown" outside a git checkout
std::string_view BuildType();  // "Release", "Debug", ...

}  // namespace floe
