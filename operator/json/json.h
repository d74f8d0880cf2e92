// JSON helpers over RapidJSON. All JSON in dockward is RapidJSON; these
// helpers keep call sites short and make the common mistakes (missing member,
// wrong type, allocator mix-ups) hard to make.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::json {

using Document = rapidjson::Document;
using Value = rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

// Parses `text` into `doc`. Errors name the byte offset and RapidJSON's reason.
Status Parse(std::string_view text, Document* doc);

// Compact serialization.
std::string Serialize(const Value& v);
// Two-space indented serialization (kubectl's -o json style).
std::string SerializePretty(const Value& v);

// Member lookup that tolerates non-objects; returns nullptr when absent.
const Value* Find(const Value& obj, std::string_view key);
Value* Find(Value& obj, std::string_view key);

// Dotted path lookup: "metadata.name", "spec.targets". Does not index arrays.
const Value* FindPath(const Value& root, std::string_view dotted);

// String member or `def`.
std::string GetString(const Value& obj, std::string_view key, std::string def = "");
std::string GetStringPath(const Value& root, std::string_view dotted, std::string def = "");
int64_t GetInt(const Value& obj, std::string_view key, int64_t def = 0);
bool GetBool(const Value& obj, std::string_view key, bool def = false);

// Ensures obj[key] exists as an object (replacing non-objects) and returns it.
Value& EnsureObject(Value& obj, std::string_view key, Allocator& a);
// Sets obj[key] (adding or replacing). Copies the string.
void SetString(Value& obj, std::string_view key, std::string_view val, Allocator& a);
void SetInt(Value& obj, std::string_view key, int64_t val, Allocator& a);
void SetBool(Value& obj, std::string_view key, bool val, Allocator& a);
// Moves `val` into obj[key] (adding or replacing).
void SetValue(Value& obj, std::string_view key, Value& val, Allocator& a);
// Removes obj[key] if present. Returns true if it was present.
bool Remove(Value& obj, std::string_view key);

// Deep copy of `src` using allocator `a`.
inline Value Copy(const Value& src, Allocator& a) { return Value(src, a); }
// Makes a string Value owning a copy of `s`.
inline Value Str(std::string_view s, Allocator& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

// Structural equality (object member order ignored, numbers compared by value).
bool Equal(const Value& a, const Value& b);

}  // namespace dw::json
