#include "floe/cli/table_output.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "floe/iceberg/iceberg_types.h"

namespace floe::cli {
namespace {

using formats::ColumnType;

bool IsNumeric(ColumnType t) {
  return t == ColumnType::kInt32 || t == ColumnType::kInt64 || t == ColumnType::kFloat || t == ColumnType::kDouble ||
         t == ColumnType::kDecimal;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Display width of UTF-8 text: code points (continuation bytes do not count).
size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; }));
}

}  // namespace

std::string FormatValue(const formats::ColumnVector& column, size_t row) {
  using iceberg::Literal;
  const formats::DataType& type = column.type();
  switch (type.id) {
    case ColumnType::kBoolean: return column.value<uint8_t>(row) ? "true" : "false";
    case ColumnType::kInt32: return std::to_string(column.value<int32_t>(row));
    case ColumnType::kInt64: return std::to_string(column.value<int64_t>(row));
    case ColumnType::kFloat: {
      char buf[32];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, column.value<float>(row));
      return std::string(buf, p);
    }
    case ColumnType::kDouble: {
      char buf[32];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, column.value<double>(row));
      return std::string(buf, p);
    }
    case ColumnType::kString: return std::string(column.string(row));
    case ColumnType::kBinary: return Literal::Binary(std::string(column.string(row))).ToString();
    case ColumnType::kDate: return Literal::Date(column.value<int32_t>(row)).ToString();
    case ColumnType::kTimestamp: return Literal::Timestamp(column.value<int64_t>(row)).ToString();
    case ColumnType::kTimestampTz: return Literal::TimestampTz(column.value<int64_t>(row)).ToString();
    case ColumnType::kDecimal:
      return Literal::Decimal(column.value<int64_t>(row), type.precision, type.scale).ToString();
  }
  return "?";
}

RowPrinter::RowPrinter(FILE* out, RowFormat format, std::vector<std::string> column_names)
    : out_(out), format_(format), names_(std::move(column_names)) {}

void RowPrinter::Emit(std::string_view s) {
  buffer_.append(s);
  if (buffer_.size() >= (1 << 16)) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) failed_ = true;
    buffer_.clear();
  }
}

size_t RowPrinter::Print(const std::vector<formats::ColumnVector>& batch, int64_t limit) {
  if (format_ == RowFormat::kCsv && !header_done_) {
    std::string header;
    for (size_t c = 0; c < names_.size(); ++c) header += (c ? "," : "") + CsvField(names_[c]);
    Emit(header + "\n");
    header_done_ = true;
  }
  const size_t n = batch.empty() ? 0 : batch[0].size();
  size_t printed = 0;
  std::string line;
  for (size_t r = 0; r < n; ++r) {
    if (limit >= 0 && rows_ >= limit) break;
    line.clear();
    switch (format_) {
      case RowFormat::kCsv:
        for (size_t c = 0; c < batch.size(); ++c) {
          if (c) line.push_back(',');
          if (!batch[c].IsNull(r)) line += CsvField(FormatValue(batch[c], r));
        }
        line.push_back('\n');
        Emit(line);
        break;
      case RowFormat::kJson: {
        nlohmann::ordered_json o = nlohmann::ordered_json::object();
        for (size_t c = 0; c < batch.size(); ++c) {
          const auto& col = batch[c];
          if (col.IsNull(r)) {
            o[names_[c]] = nullptr;
          } else if (col.type().id == ColumnType::kBoolean) {
            o[names_[c]] = col.value<uint8_t>(r) != 0;
          } else if (col.type().id == ColumnType::kInt32) {
            o[names_[c]] = col.value<int32_t>(r);
          } else if (col.type().id == ColumnType::kInt64) {
            o[names_[c]] = col.value<int64_t>(r);
          } else if (col.type().id == ColumnType::kDouble || col.type().id == ColumnType::kFloat) {
            const double v =
                col.type().id == ColumnType::kDouble ? col.value<double>(r) : static_cast<double>(col.value<float>(r));
            // JSON has no NaN or infinity: they are strings, as Trino's and Spark's JSON write them, so that they
            // stay apart from null.
            if (std::isnan(v)) {
              o[names_[c]] = "NaN";
            } else if (std::isinf(v)) {
              o[names_[c]] = v > 0 ? "Infinity" : "-Infinity";
            } else if (col.type().id == ColumnType::kDouble) {
              o[names_[c]] = v;
            } else {
              o[names_[c]] = col.value<float>(r);
            }
          } else if (col.type().id == ColumnType::kDecimal) {
            o[names_[c]] = nlohmann::ordered_json::parse(FormatValue(col, r));
          } else {
            o[names_[c]] = FormatValue(col, r);
          }
        }
        Emit(o.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
        break;
      }
      case RowFormat::kTable: {
        if (numeric_.empty()) {
          for (const auto& col : batch) numeric_.push_back(IsNumeric(col.type().id));
        }
        std::vector<std::string> cells;
        std::vector<bool> nulls;
        for (size_t c = 0; c < batch.size(); ++c) {
          nulls.push_back(batch[c].IsNull(r));
          cells.push_back(nulls.back() ? "NULL" : FormatValue(batch[c], r));
        }
        table_cells_.push_back(std::move(cells));
        table_nulls_.push_back(std::move(nulls));
        break;
      }
    }
    ++rows_;
    ++printed;
  }
  return printed;
}

bool RowPrinter::Finish() {
  if (format_ == RowFormat::kCsv && !header_done_) Print({}, 0);
  if (format_ == RowFormat::kTable) {
    std::vector<size_t> widths(names_.size(), 0);
    for (size_t c = 0; c < names_.size(); ++c) widths[c] = Width(names_[c]);
    for (const auto& row : table_cells_) {
      for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], Width(row[c]));
    }
    auto pad = [](const std::string& s, size_t w, bool right_align) {
      const size_t fill = w > Width(s) ? w - Width(s) : 0;
      return right_align ? std::string(fill, ' ') + s : s + std::string(fill, ' ');
    };
    std::string line;
    for (size_t c = 0; c < names_.size(); ++c) line += (c ? " | " : " ") + pad(names_[c], widths[c], false);
    Emit(line + "\n");
    line.clear();
    for (size_t c = 0; c < names_.size(); ++c) line += (c ? "-+-" : "-") + std::string(widths[c], '-');
    Emit(line + "-\n");
    for (size_t r = 0; r < table_cells_.size(); ++r) {
      line.clear();
      for (size_t c = 0; c < table_cells_[r].size(); ++c) {
        // Numbers align right, as psql does.
        const bool numeric = c < numeric_.size() && numeric_[c] && !table_nulls_[r][c];
        line += (c ? " | " : " ") + pad(table_cells_[r][c], widths[c], numeric);
      }
      Emit(line + "\n");
    }
    Emit("(" + std::to_string(table_cells_.size()) + (table_cells_.size() == 1 ? " row)\n" : " rows)\n"));
  }
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) failed_ = true;
  buffer_.clear();
  if (std::fflush(out_) != 0) failed_ = true;
  return !failed_;
}

}  // namespace floe::cli
