// Where something is in a SQL text, and the one form of SQL error that points there.
//
// Every parse and bind error of floe's SQL front end is InvalidArgument("line L, column C: <reason>"), with L and C
// 1-based and counted in the text the caller gave (a whole job file: positions are file positions). Columns count
// characters (UTF-8 code points), not bytes, so an editor's column indicator finds the spot.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "floe/base/status.h"

namespace floe::sql {

struct SourcePosition {
  int line = 1;       // 1-based
  int column = 1;     // 1-based, in code points
  size_t offset = 0;  // byte offset into the text

  // "line 3, column 8"
  std::string ToString() const;
};

// InvalidArgument("line L, column C: <reason>").
Status SqlError(const SourcePosition& pos, std::string_view reason);

}  // namespace floe::sql
