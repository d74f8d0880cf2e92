#include "operator/apiserver/protobuf_body.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "operator/common/base64.h"
#include "operator/common/clock.h"

namespace dw::apiserver {

namespace {

constexpr std::string_view kMagic("k8s\0", 4);
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;
constexpr int kMaxDepth = 16;

// The shapes a mapped field can have; each names its wire type and its JSON form.
enum class Kind { kString, kBytes, kInt64, kBool, kTime, kStringMap, kBytesMap, kMessage };

struct Message;
struct Field {
  uint32_t number;
  const char* json_name;
  Kind kind;
  bool repeated = false;
  const Message* message = nullptr;
};
struct Message {
  std::vector<Field> fields;
  const Field* Lookup(uint32_t n) const {
    for (const auto& f : fields)
      if (f.number == n) return &f;
    return nullptr;
  }
};

// Field numbers from k8s.io/api and k8s.io/apimachinery generated.proto.
// Unmapped fields (managedFields, selfLink, ...) are skipped, as the JSON
// path would drop or overwrite them anyway.
const Message kOwnerReference{{{1, "kind", Kind::kString},
                               {3, "name", Kind::kString},
                               {4, "uid", Kind::kString},
                               {5, "apiVersion", Kind::kString},
                               {6, "controller", Kind::kBool},
                               {7, "blockOwnerDeletion", Kind::kBool}}};
const Message kObjectMeta{{{1, "name", Kind::kString},
                           {2, "generateName", Kind::kString},
                           {3, "namespace", Kind::kString},
                           {5, "uid", Kind::kString},
                           {6, "resourceVersion", Kind::kString},
                           {7, "generation", Kind::kInt64},
                           {8, "creationTimestamp", Kind::kTime},
                           {11, "labels", Kind::kStringMap},
                           {12, "annotations", Kind::kStringMap},
                           {13, "ownerReferences", Kind::kMessage, true, &kOwnerReference},
                           {14, "finalizers", Kind::kString, true}}};
const Message kNamespaceSpec{{{1, "finalizers", Kind::kString, true}}};
const Message kNamespaceStatus{{{1, "phase", Kind::kString}}};
const Message kNamespace{{{1, "metadata", Kind::kMessage, false, &kObjectMeta},
                          {2, "spec", Kind::kMessage, false, &kNamespaceSpec},
                          {3, "status", Kind::kMessage, false, &kNamespaceStatus}}};
const Message kSecret{{{1, "metadata", Kind::kMessage, false, &kObjectMeta},
                       {2, "data", Kind::kBytesMap},
                       {3, "type", Kind::kString},
                       {4, "stringData", Kind::kStringMap},
                       {5, "immutable", Kind::kBool}}};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool Done() const { return pos_ >= b_.size(); }

  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && pos_ < b_.size(); shift += 7) {
      uint8_t c = static_cast<uint8_t>(b_[pos_++]);
      *v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return true;
    }
    return false;
  }
  bool Bytes(std::string_view* v) {
    uint64_t n;
    if (!Varint(&n) || n > b_.size() - pos_) return false;
    *v = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(int wire) {
    uint64_t ignored;
    std::string_view ignored_bytes;
    switch (wire) {
      case kVarint: return Varint(&ignored);
      case kLengthDelimited: return Bytes(&ignored_bytes);
      case kFixed64: return Advance(8);
      case kFixed32: return Advance(4);
      default: return false;  // groups are not used by Kubernetes
    }
  }

 private:
  bool Advance(size_t n) {
    if (n > b_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  std::string_view b_;
  size_t pos_ = 0;
};

Status Malformed(const std::string& what) {
  return Status::BadRequest("the object provided is unrecognized: malformed protobuf (" + what + ")");
}

// metav1.Time {seconds, nanos}; a zero time means "unset", as in JSON.
Status DecodeTime(std::string_view bytes, std::string* out) {
  Reader r(bytes);
  int64_t seconds = 0;
  while (!r.Done()) {
    uint64_t tag, v;
    if (!r.Varint(&tag)) return Malformed("time tag");
    if ((tag >> 3) == 1 && (tag & 7) == kVarint) {
      if (!r.Varint(&v)) return Malformed("time seconds");
      seconds = static_cast<int64_t>(v);
    } else if (!r.Skip(static_cast<int>(tag & 7))) {
      return Malformed("time field");
    }
  }
  if (seconds > 0) *out = clock::Rfc3339(clock::TimePoint(std::chrono::seconds(seconds)));
  return Status::OK();
}

// A map entry message {1: key, 2: value}.
Status DecodeMapEntry(std::string_view bytes, std::string_view* key, std::string_view* value) {
  Reader r(bytes);
  while (!r.Done()) {
    uint64_t tag;
    if (!r.Varint(&tag)) return Malformed("map entry tag");
    uint32_t n = static_cast<uint32_t>(tag >> 3);
    if ((n == 1 || n == 2) && (tag & 7) == kLengthDelimited) {
      if (!r.Bytes(n == 1 ? key : value)) return Malformed("map entry");
    } else if (!r.Skip(static_cast<int>(tag & 7))) {
      return Malformed("map entry field");
    }
  }
  return Status::OK();
}

// The array member `name` of `obj`, created on first use.
json::Value& ArrayMember(json::Value& obj, const char* name, json::Allocator& a) {
  json::Value* v = json::Find(obj, name);
  if (!v || !v->IsArray()) {
    json::Value arr(rapidjson::kArrayType);
    json::SetValue(obj, name, arr, a);
    v = json::Find(obj, name);
  }
  return *v;
}

Status DecodeMessage(const Message& m, std::string_view bytes, json::Value& out, json::Allocator& a, int depth);

Status DecodeField(const Field& f, Reader& r, int wire, json::Value& out, json::Allocator& a, int depth) {
  bool varint = f.kind == Kind::kInt64 || f.kind == Kind::kBool;
  if (wire != (varint ? kVarint : kLengthDelimited))
    return Malformed(std::string("wire type of ") + f.json_name);
  if (varint) {
    uint64_t v;
    if (!r.Varint(&v)) return Malformed(f.json_name);
    if (f.kind == Kind::kBool) json::SetBool(out, f.json_name, v != 0, a);
    else if (v != 0) json::SetInt(out, f.json_name, static_cast<int64_t>(v), a);
    return Status::OK();
  }
  std::string_view bytes;
  if (!r.Bytes(&bytes)) return Malformed(f.json_name);
  switch (f.kind) {
    case Kind::kString:
    case Kind::kBytes: {
      std::string text = f.kind == Kind::kBytes ? Base64Encode(bytes) : std::string(bytes);
      if (f.repeated) ArrayMember(out, f.json_name, a).PushBack(json::Str(text, a), a);
      else if (!text.empty()) json::SetString(out, f.json_name, text, a);  // proto2 writes "" for unset
      return Status::OK();
    }
    case Kind::kTime: {
      std::string t;
      DW_RETURN_IF_ERROR(DecodeTime(bytes, &t));
      if (!t.empty()) json::SetString(out, f.json_name, t, a);
      return Status::OK();
    }
    case Kind::kStringMap:
    case Kind::kBytesMap: {
      std::string_view key, value;
      DW_RETURN_IF_ERROR(DecodeMapEntry(bytes, &key, &value));
      json::Value& map = json::EnsureObject(out, f.json_name, a);
      json::SetString(map, key, f.kind == Kind::kBytesMap ? Base64Encode(value) : std::string(value), a);
      return Status::OK();
    }
    case Kind::kMessage: {
      if (depth >= kMaxDepth) return Malformed("nesting too deep");
      if (!f.repeated) return DecodeMessage(*f.message, bytes, json::EnsureObject(out, f.json_name, a), a, depth + 1);
      json::Value item(rapidjson::kObjectType);
      DW_RETURN_IF_ERROR(DecodeMessage(*f.message, bytes, item, a, depth + 1));
      ArrayMember(out, f.json_name, a).PushBack(item, a);
      return Status::OK();
    }
    default: return Malformed(f.json_name);
  }
}

Status DecodeMessage(const Message& m, std::string_view bytes, json::Value& out, json::Allocator& a, int depth) {
  Reader r(bytes);
  while (!r.Done()) {
    uint64_t tag;
    if (!r.Varint(&tag)) return Malformed("tag");
    int wire = static_cast<int>(tag & 7);
    const Field* f = m.Lookup(static_cast<uint32_t>(tag >> 3));
    if (!f) {
      if (!r.Skip(wire)) return Malformed("unknown field " + std::to_string(tag >> 3));
      continue;
    }
    DW_RETURN_IF_ERROR(DecodeField(*f, r, wire, out, a, depth));
  }
  return Status::OK();
}

struct Envelope {
  std::string api_version, kind, content_encoding;
  std::string_view raw;
};

// runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding}.
Status DecodeEnvelope(std::string_view bytes, Envelope* e) {
  Reader r(bytes);
  while (!r.Done()) {
    uint64_t tag;
    std::string_view v;
    if (!r.Varint(&tag)) return Malformed("envelope tag");
    uint32_t n = static_cast<uint32_t>(tag >> 3);
    if (n < 1 || n > 3 || (tag & 7) != kLengthDelimited) {
      if (!r.Skip(static_cast<int>(tag & 7))) return Malformed("envelope field");
      continue;
    }
    if (!r.Bytes(&v)) return Malformed("envelope");
    if (n == 2) {
      e->raw = v;
    } else if (n == 3) {
      e->content_encoding = std::string(v);
    } else {
      Reader tm(v);
      while (!tm.Done()) {
        uint64_t t;
        std::string_view s;
        if (!tm.Varint(&t) || (t & 7) != kLengthDelimited || !tm.Bytes(&s)) return Malformed("typeMeta");
        if ((t >> 3) == 1) e->api_version = std::string(s);
        if ((t >> 3) == 2) e->kind = std::string(s);
      }
    }
  }
  return Status::OK();
}

const Message* MessageFor(const Envelope& e) {
  if (e.api_version != "v1") return nullptr;
  if (e.kind == "Namespace") return &kNamespace;
  if (e.kind == "Secret") return &kSecret;
  return nullptr;
}

}  // namespace

Status DecodeProtobufObject(std::string_view body, json::Document* out) {
  if (body.substr(0, kMagic.size()) != kMagic) return Malformed("missing the k8s magic prefix");
  Envelope e;
  DW_RETURN_IF_ERROR(DecodeEnvelope(body.substr(kMagic.size()), &e));
  if (!e.content_encoding.empty()) return Malformed("unsupported content encoding " + e.content_encoding);
  const Message* m = MessageFor(e);
  if (!m)
    return Status(Code::kUnsupportedMediaType,
                  "the body of the request was in an unknown format - protobuf is accepted for v1 "
                  "Namespace and Secret only (got " + e.api_version + " " + e.kind +
                  "); accepted media types include: application/json, application/yaml");
  out->SetObject();
  auto& a = out->GetAllocator();
  json::SetString(*out, "apiVersion", e.api_version, a);
  json::SetString(*out, "kind", e.kind, a);
  return DecodeMessage(*m, e.raw, *out, a, 0);
}

}  // namespace dw::apiserver
