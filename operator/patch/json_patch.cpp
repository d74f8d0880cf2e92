// RFC 6902 JSON patch with RFC 6901 pointers. Ops run against a copy of the
// target which replaces it only when every op succeeded.
#include <string>
#include <string_view>
#include <vector>

#include "operator/patch/patch.h"

namespace dw::patch {
namespace {

using Tokens = std::vector<std::string>;

Status ParsePointer(std::string_view p, Tokens* out) {
  out->clear();
  if (p.empty()) return Status::OK();
  if (p[0] != '/') return Status::BadRequest("JSON pointer \"" + std::string(p) + "\" must start with '/'");
  std::string cur;
  for (size_t i = 1; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      out->push_back(std::move(cur));
      cur.clear();
    } else if (p[i] == '~') {
      if (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))
        return Status::BadRequest("JSON pointer \"" + std::string(p) + "\" has an invalid ~ escape");
      cur += p[++i] == '0' ? '~' : '/';
    } else {
      cur += p[i];
    }
  }
  return Status::OK();
}

// Array index token: digits without leading zeros, < limit (inclusive when
// `allow_end`, which is how "add" may insert at the end).
bool ParseIndex(const std::string& t, rapidjson::SizeType size, bool allow_end, rapidjson::SizeType* idx) {
  if (t.empty() || t.size() > 9 || (t.size() > 1 && t[0] == '0')) return false;
  for (char c : t)
    if (c < '0' || c > '9') return false;
  unsigned long v = std::stoul(t);
  if (v > size || (v == size && !allow_end)) return false;
  *idx = static_cast<rapidjson::SizeType>(v);
  return true;
}

json::Value* Child(json::Value& v, const std::string& t) {
  if (v.IsObject()) return json::Find(v, t);
  rapidjson::SizeType i;
  if (v.IsArray() && ParseIndex(t, v.Size(), false, &i)) return &v[i];
  return nullptr;
}

// The value at tokens[0..n).
json::Value* Resolve(json::Value& root, const Tokens& t, size_t n) {
  json::Value* cur = &root;
  for (size_t i = 0; i < n && cur != nullptr; ++i) cur = Child(*cur, t[i]);
  return cur;
}

class Executor {
 public:
  Executor(json::Value& doc, json::Allocator& a) : doc_(doc), a_(a) {}

  Status Run(const json::Value& op) {
    std::string name = json::GetString(op, "op");
    const json::Value* path = json::Find(op, "path");
    if (path == nullptr || !path->IsString()) return Status::BadRequest("missing \"path\"");
    Tokens to;
    DW_RETURN_IF_ERROR(ParsePointer({path->GetString(), path->GetStringLength()}, &to));
    if (name == "add" || name == "replace" || name == "test") {
      const json::Value* value = json::Find(op, "value");
      if (value == nullptr) return Status::BadRequest("missing \"value\"");
      if (name == "test") return Test(to, *value);
      json::Value v(*value, a_);
      return name == "add" ? Add(to, v) : Replace(to, v);
    }
    if (name == "remove") {
      json::Value ignored;
      return Remove(to, &ignored);
    }
    if (name == "move" || name == "copy") {
      const json::Value* from = json::Find(op, "from");
      if (from == nullptr || !from->IsString()) return Status::BadRequest("missing \"from\"");
      Tokens src;
      DW_RETURN_IF_ERROR(ParsePointer({from->GetString(), from->GetStringLength()}, &src));
      return name == "move" ? Move(src, to) : CopyOp(src, to);
    }
    if (name.empty()) return Status::BadRequest("missing \"op\"");
    return Status::BadRequest("unknown op \"" + name + "\"");
  }

 private:
  Status Add(const Tokens& t, json::Value& v) {
    if (t.empty()) {
      doc_.Swap(v);
      return Status::OK();
    }
    json::Value* parent = Resolve(doc_, t, t.size() - 1);
    if (parent == nullptr) return Status::BadRequest("parent path not found");
    const std::string& last = t.back();
    if (parent->IsObject()) {
      json::SetValue(*parent, last, v, a_);
      return Status::OK();
    }
    if (!parent->IsArray()) return Status::BadRequest("parent is not an object or array");
    if (last == "-") {
      parent->PushBack(v, a_);
      return Status::OK();
    }
    rapidjson::SizeType idx;
    if (!ParseIndex(last, parent->Size(), true, &idx))
      return Status::BadRequest("array index \"" + last + "\" out of bounds");
    parent->PushBack(json::Value(), a_);
    for (rapidjson::SizeType i = parent->Size() - 1; i > idx; --i) (*parent)[i].Swap((*parent)[i - 1]);
    (*parent)[idx].Swap(v);
    return Status::OK();
  }

  Status Remove(const Tokens& t, json::Value* removed) {
    if (t.empty()) return Status::BadRequest("cannot remove the whole document");
    json::Value* parent = Resolve(doc_, t, t.size() - 1);
    json::Value* target = parent == nullptr ? nullptr : Child(*parent, t.back());
    if (target == nullptr) return Status::BadRequest("path not found");
    removed->Swap(*target);
    if (parent->IsObject()) {
      parent->EraseMember(parent->FindMember(t.back().c_str()));
    } else {
      parent->Erase(target);
    }
    return Status::OK();
  }

  Status Replace(const Tokens& t, json::Value& v) {
    json::Value* target = Resolve(doc_, t, t.size());
    if (target == nullptr) return Status::BadRequest("path not found");
    target->Swap(v);
    return Status::OK();
  }

  Status Move(const Tokens& from, const Tokens& to) {
    if (to.size() > from.size() && std::equal(from.begin(), from.end(), to.begin()))
      return Status::BadRequest("cannot move a value into one of its children");
    json::Value v;
    DW_RETURN_IF_ERROR(Remove(from, &v));
    return Add(to, v);
  }

  Status CopyOp(const Tokens& from, const Tokens& to) {
    json::Value* src = Resolve(doc_, from, from.size());
    if (src == nullptr) return Status::BadRequest("\"from\" path not found");
    json::Value v(*src, a_);
    return Add(to, v);
  }

  Status Test(const Tokens& t, const json::Value& expected) {
    json::Value* target = Resolve(doc_, t, t.size());
    if (target == nullptr) return Status::Invalid("test failed: path not found");
    if (!json::Equal(*target, expected)) return Status::Invalid("test failed: value differs");
    return Status::OK();
  }

  json::Value& doc_;
  json::Allocator& a_;
};

}  // namespace

Status ApplyJsonPatch(json::Value& target, const json::Value& ops, json::Allocator& a) {
  if (!ops.IsArray()) return Status::BadRequest("json patch must be an array of operations");
  json::Value work(target, a);
  Executor exec(work, a);
  for (rapidjson::SizeType i = 0; i < ops.Size(); ++i) {
    const json::Value& op = ops[i];
    if (!op.IsObject()) return Status::BadRequest("json patch op " + std::to_string(i) + " is not an object");
    Status st = exec.Run(op);
    if (!st.ok()) {
      std::string desc = "json patch op " + std::to_string(i) + " (" + json::GetString(op, "op") +
                         " " + json::GetString(op, "path") + "): " + st.message();
      return Status(st.code(), desc);
    }
  }
  target.Swap(work);
  return Status::OK();
}

}  // namespace dw::patch
