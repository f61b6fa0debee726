#include "floe/sql/source_position.h"

namespace floe::sql {

std::string SourcePosition::ToString() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Status SqlError(const SourcePosition& pos, std::string_view reason) {
  std::string message = pos.ToString();
  message += ": ";
  message += reason;
  return Status::InvalidArgument(std::move(message));
}

}  // namespace floe::sql
