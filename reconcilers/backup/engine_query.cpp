// Check queries come from a BackupPolicy (restoreTest.query), so they are
// trusted less than the engine's own argv: each client's escape hatches to a
// shell or to the file system are refused here, once, for every engine.
#include <cctype>

#include "reconcilers/backup/engine.h"
#include "reconcilers/backup/target_labels.h"

namespace dw::backup {
namespace {

constexpr size_t kMaxQueryBytes = 4096;

// mysql/mariadb client commands recognised at the start of a line
// (`mysql --help`, "List of all MySQL commands").
constexpr std::string_view kMySqlClientCommands[] = {
    "?",      "charset", "clear",  "connect", "delimiter", "edit",      "ego",       "exit",
    "go",     "help",    "nopager", "notee",  "nowarning", "pager",     "print",     "prompt",
    "quit",   "rehash",  "resetconnection",   "source",    "status",    "system",    "tee",
    "use",    "warnings"};

std::string FirstWordLower(std::string_view q) {
  std::string w;
  for (char c : q) {
    if (c == ' ' || c == '\t' || c == ';') break;
    w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return w;
}

Status Refuse(std::string_view engine, std::string_view query, const std::string& why) {
  return Status::Invalid(std::string(engine) + ": check query " + QuoteForMessage(query) +
                         " rejected: " + why);
}

}  // namespace

std::string_view DefaultCheckQuery(std::string_view engine) {
  if (engine == "sqlite") return "PRAGMA integrity_check";
  if (engine == "redis") return "DBSIZE";
  return "SELECT 1";
}

Status ValidateCheckQuery(std::string_view engine, std::string_view query) {
  if (query.size() > kMaxQueryBytes)
    return Refuse(engine, query, "longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  for (unsigned char c : query) {
    if (c < 0x20 && c != '\t') return Refuse(engine, query, "control characters are not allowed");
    if (c == 0x7f) return Refuse(engine, query, "control characters are not allowed");
  }
  size_t start = query.find_first_not_of(" \t");
  if (start == std::string_view::npos) return Refuse(engine, query, "it is blank");
  std::string_view body = query.substr(start);
  if (body[0] == '-') return Refuse(engine, query, "it would be read as a command-line option");
  if (engine == "sqlite" && body[0] == '.')
    return Refuse(engine, query, "sqlite3 dot-commands are not allowed");
  if ((engine == "postgres" || engine == "postgresql") && body[0] == '\\')
    return Refuse(engine, query, "psql backslash commands are not allowed");
  if (engine == "mysql" || engine == "mariadb") {
    if (body.find('\\') != std::string_view::npos)
      return Refuse(engine, query, "backslash (client commands such as \\!) is not allowed");
    std::string word = FirstWordLower(body);
    for (std::string_view cmd : kMySqlClientCommands)
      if (word == cmd) return Refuse(engine, query, "client command \"" + word + "\" is not allowed");
  }
  return Status::OK();
}

Status ResolveCheckQuery(std::string_view engine, const std::string& query, std::string* out) {
  *out = query.empty() ? std::string(DefaultCheckQuery(engine)) : query;
  return ValidateCheckQuery(engine, *out);
}

}  // namespace dw::backup
