// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-23T12:00:00.123Z","level":"info","msg":"serving","addr":"127.0.0.1:6443"}
// Fields are key/value strings; callers must never pass secret values.
// Thread-safe; a line is written with one write(2) so lines never interleave.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace dw::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };

using Field = std::pair<std::string_view, std::string>;

void SetLevel(Level level);
bool Enabled(Level level);
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

}  // namespace dw::log
