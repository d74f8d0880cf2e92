// Structured JSON-lines logger. Each line is formatted into a local buffer
// and handed to the kernel with a single write(2) on fd 2, so concurrent
// writers never interleave within a line without needing a lock.
#include "operator/common/log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace dw::log {

namespace {

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

Level LevelFromEnv() {
  const char* env = std::getenv("DOCKWARD_LOG_LEVEL");
  std::string v = env ? env : "";
  if (v == "debug") return Level::kDebug;
  if (v == "warn" || v == "warning") return Level::kWarn;
  if (v == "error") return Level::kError;
  return Level::kInfo;
}

// The threshold; read from the environment once, on first use, unless
// SetLevel ran before.
std::atomic<int>& Threshold() {
  static std::atomic<int> level{static_cast<int>(LevelFromEnv())};
  return level;
}

// RFC 3339 UTC with milliseconds: 2026-11-23T12:00:00.123Z
void AppendTimestamp(std::string* out) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                        static_cast<int>(ms % 1000));
  out->append(buf, static_cast<size_t>(n));
}

void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a logging failure
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

void SetLevel(Level level) { Threshold().store(static_cast<int>(level), std::memory_order_relaxed); }

bool Enabled(Level level) {
  return static_cast<int>(level) >= Threshold().load(std::memory_order_relaxed);
}

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string ts;
  AppendTimestamp(&ts);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  str("ts");
  str(ts);
  str("level");
  str(LevelName(level));
  str("msg");
  str(msg);
  for (const Field& f : fields) {
    // The fixed keys come first; a field may not shadow them.
    if (f.first == "ts" || f.first == "level" || f.first == "msg") continue;
    str(f.first);
    str(f.second);
  }
  w.EndObject();
  buf.Put('\n');
  WriteAll(2, buf.GetString(), buf.GetSize());
}

}  // namespace dw::log
