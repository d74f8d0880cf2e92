// YAML -> JSON over libyaml's event API. Values are built bottom-up on an
// explicit stack (no recursion, so hostile nesting cannot overflow the C
// stack) directly in the target document's allocator.
#include "operator/json/yaml.h"

#include <yaml.h>

#include <memory>
#include <unordered_map>

#include "operator/json/yaml_scalar.h"

namespace dw::yaml {

namespace {

// Bounds alias expansion (billion laughs) and nesting depth.
constexpr uint64_t kMaxAliasNodes = 1'000'000;
constexpr size_t kMaxDepth = 1000;
// Mappings with more keys than this get a hash index for duplicate checks.
constexpr size_t kLinearKeyLimit = 16;

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

struct KeyMeta {
  int line;
  bool merged;  // came in through "<<"; an explicit key may override it
};

struct Frame {
  bool is_map = false;
  json::Value value;
  std::string path;
  bool track = true;
  std::string anchor;
  uint64_t nodes = 1;  // nodes in this subtree, for alias accounting
  // Mapping state: the pending key and per-member metadata.
  bool has_key = false;
  bool key_is_merge = false;
  std::string key;
  yaml_mark_t key_mark{};
  std::vector<KeyMeta> metas;
  std::unordered_map<std::string, size_t> index;
};

struct Anchor {
  json::Value value;  // lives in the parser's anchor allocator
  uint64_t nodes = 1;
};

std::string_view ScalarText(const yaml_event_t& e) {
  return {reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length};
}

const char* CStr(const yaml_char_t* s) { return reinterpret_cast<const char*>(s); }

class Parser {
 public:
  Parser(const ParseOptions& opts, std::vector<YamlDocument>* out) : opts_(opts), out_(out) {}

  Status Run(std::string_view text) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return Status::Internal("libyaml: out of memory");
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    Status st;
    bool done = false;
    while (st.ok() && !done) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser, &event)) {
        st = LibyamlError(parser);
        break;
      }
      done = event.type == YAML_STREAM_END_EVENT;
      st = OnEvent(event);
      yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return st;
  }

 private:
  Status OnEvent(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT: return OnDocumentStart(e);
      case YAML_DOCUMENT_END_EVENT: return OnDocumentEnd();
      case YAML_SCALAR_EVENT: return OnScalar(e);
      case YAML_ALIAS_EVENT: return OnAlias(e);
      case YAML_SEQUENCE_START_EVENT: return OnStart(e, false, CStr(e.data.sequence_start.anchor));
      case YAML_MAPPING_START_EVENT: return OnStart(e, true, CStr(e.data.mapping_start.anchor));
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: return OnEnd(e);
      default: return Status::OK();
    }
  }

  Status OnDocumentStart(const yaml_event_t& e) {
    cur_ = YamlDocument();
    cur_.first_line = static_cast<int>(e.start_mark.line) + 1;
    anchors_.clear();
    anchor_alloc_ = std::make_unique<rapidjson::MemoryPoolAllocator<>>();
    alias_nodes_ = 0;
    return Status::OK();
  }

  Status OnDocumentEnd() {
    // An empty document (only comments, or a bare "---") yields a null root.
    if (!cur_.doc.IsNull()) out_->push_back(std::move(cur_));
    return Status::OK();
  }

  json::Allocator& alloc() { return cur_.doc.GetAllocator(); }

  Status Error(const yaml_mark_t& m, const std::string& msg) const {
    std::string where = std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
    if (!opts_.source_name.empty()) where = opts_.source_name + ":" + where;
    return Status::BadRequest(where + msg);
  }

  Status LibyamlError(const yaml_parser_t& p) const {
    std::string msg = p.problem ? p.problem : "invalid YAML";
    if (p.context) msg += std::string(" ") + p.context;
    return Error(p.problem_mark, msg);
  }

  // While the top frame is a mapping waiting for a key, only a scalar fits.
  bool AwaitingKey() const { return !stack_.empty() && stack_.back().is_map && !stack_.back().has_key; }

  Status AcceptKey(std::string key, const yaml_mark_t& m, bool merge) {
    Frame& f = stack_.back();
    f.key = std::move(key);
    f.key_mark = m;
    f.key_is_merge = merge;
    f.has_key = true;
    return Status::OK();
  }

  // Path and line bookkeeping for the node that is about to be delivered.
  bool ChildTracked() const {
    if (!opts_.track_lines) return false;
    if (stack_.empty()) return true;
    const Frame& f = stack_.back();
    return f.track && !(f.is_map && f.key_is_merge);
  }

  std::string ChildPath() const {
    if (stack_.empty()) return {};
    const Frame& f = stack_.back();
    if (f.is_map) return f.path.empty() ? f.key : f.path + "." + f.key;
    return f.path + "[" + std::to_string(f.value.Size()) + "]";
  }

  void RecordLine(const yaml_mark_t& node_mark) {
    if (!ChildTracked() || stack_.empty()) return;
    const Frame& f = stack_.back();
    int line = static_cast<int>((f.is_map ? f.key_mark : node_mark).line) + 1;
    cur_.lines.emplace(ChildPath(), line);
  }

  Status OnScalar(const yaml_event_t& e) {
    std::string_view text = ScalarText(e);
    bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    const char* tag = CStr(e.data.scalar.tag);
    if (AwaitingKey()) {
      bool merge = plain && !tag && text == "<<";
      if (const char* anchor = CStr(e.data.scalar.anchor)) {
        Anchor& a = anchors_[anchor];  // "&k key: v" lets "*k" reuse the key text
        a.value.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), *anchor_alloc_);
        a.nodes = 1;
      }
      return AcceptKey(std::string(text), e.start_mark, merge);
    }
    json::Value v;
    DW_RETURN_IF_ERROR(ResolveScalar(e, text, plain, tag, &v));
    RecordLine(e.start_mark);
    return Deliver(std::move(v), e.start_mark, 1, CStr(e.data.scalar.anchor));
  }

  Status ResolveScalar(const yaml_event_t& e, std::string_view text, bool plain, const char* tag,
                       json::Value* v) {
    std::string_view t = tag ? std::string_view(tag) : std::string_view();
    bool core = t.substr(0, kTagPrefix.size()) == kTagPrefix;
    std::string_view name = core ? t.substr(kTagPrefix.size()) : std::string_view();
    bool ok = true;
    if (core && name == "int") {
      ok = internal::ParseIntScalar(text, v);
    } else if (core && name == "float") {
      ok = internal::ParseFloatScalar(text, v);
      if (ok) v->SetDouble(v->GetDouble());  // "!!float 3" is a double
    } else if (core && name == "bool") {
      bool b = false;
      ok = internal::ParseBoolScalar(text, &b);
      v->SetBool(b);
    } else if (core && name == "null") {
      ok = internal::IsNullScalar(text);
      v->SetNull();
    } else if (plain && (t.empty() || !core) && t != "!") {
      internal::ResolvePlain(text, v, alloc());
      return Status::OK();
    } else {
      // Quoted and block scalars, "!", !!str, !!binary, !!timestamp: strings.
      v->SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc());
    }
    if (!ok) return Error(e.start_mark, "cannot parse \"" + std::string(text) + "\" as !!" + std::string(name));
    return Status::OK();
  }

  Status OnAlias(const yaml_event_t& e) {
    std::string name = CStr(e.data.alias.anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end()) return Error(e.start_mark, "unknown anchor \"" + name + "\" referenced");
    const Anchor& a = it->second;
    alias_nodes_ += a.nodes;
    if (alias_nodes_ > kMaxAliasNodes) {
      return Error(e.start_mark, "alias expansion exceeds " + std::to_string(kMaxAliasNodes) + " nodes");
    }
    if (AwaitingKey()) {
      if (a.value.IsObject() || a.value.IsArray()) return Error(e.start_mark, "mapping key must be a scalar");
      std::string key = a.value.IsString() ? std::string(a.value.GetString(), a.value.GetStringLength())
                                           : json::Serialize(a.value);
      return AcceptKey(std::move(key), e.start_mark, false);
    }
    RecordLine(e.start_mark);
    return Deliver(json::Value(a.value, alloc()), e.start_mark, a.nodes, nullptr);
  }

  Status OnStart(const yaml_event_t& e, bool is_map, const char* anchor) {
    if (AwaitingKey()) return Error(e.start_mark, "mapping key must be a scalar");
    if (stack_.size() >= kMaxDepth) {
      return Error(e.start_mark, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    RecordLine(e.start_mark);
    Frame f;
    f.is_map = is_map;
    f.track = ChildTracked();
    if (f.track) f.path = ChildPath();
    if (anchor) f.anchor = anchor;
    if (is_map) {
      f.value.SetObject();
    } else {
      f.value.SetArray();
    }
    stack_.push_back(std::move(f));
    return Status::OK();
  }

  Status OnEnd(const yaml_event_t& e) {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Deliver(std::move(f.value), e.start_mark, f.nodes, f.anchor.empty() ? nullptr : f.anchor.c_str());
  }

  // Hands a finished node to its parent (or makes it the document root).
  Status Deliver(json::Value v, const yaml_mark_t& m, uint64_t nodes, const char* anchor) {
    if (anchor) {
      Anchor& a = anchors_[anchor];
      a.value.CopyFrom(v, *anchor_alloc_);
      a.nodes = nodes;
    }
    if (stack_.empty()) {
      static_cast<json::Value&>(cur_.doc).Swap(v);
      return Status::OK();
    }
    Frame& f = stack_.back();
    f.nodes += nodes;
    if (!f.is_map) {
      f.value.PushBack(v, alloc());
      return Status::OK();
    }
    f.has_key = false;
    if (f.key_is_merge) {
      f.key_is_merge = false;
      return Merge(f, v, m);
    }
    return AddMember(f, v);
  }

  size_t FindKey(Frame& f, std::string_view key) {
    size_t n = f.value.MemberCount();
    if (n <= kLinearKeyLimit) {
      for (size_t i = 0; i < n; ++i) {
        const json::Value& k = f.value.MemberBegin()[i].name;
        if (std::string_view(k.GetString(), k.GetStringLength()) == key) return i;
      }
      return std::string::npos;
    }
    if (f.index.empty()) {
      for (size_t i = 0; i < n; ++i) {
        const json::Value& k = f.value.MemberBegin()[i].name;
        f.index.emplace(std::string(k.GetString(), k.GetStringLength()), i);
      }
    }
    auto it = f.index.find(std::string(key));
    return it == f.index.end() ? std::string::npos : it->second;
  }

  void Append(Frame& f, std::string_view key, json::Value& v, int line, bool merged) {
    size_t i = f.value.MemberCount();
    f.value.AddMember(json::Str(key, alloc()), v, alloc());
    f.metas.push_back({line, merged});
    if (!f.index.empty()) f.index.emplace(std::string(key), i);
  }

  Status AddMember(Frame& f, json::Value& v) {
    int line = static_cast<int>(f.key_mark.line) + 1;
    size_t i = FindKey(f, f.key);
    if (i == std::string::npos) {
      Append(f, f.key, v, line, false);
      return Status::OK();
    }
    if (!f.metas[i].merged) {
      return Error(f.key_mark, "mapping key \"" + f.key + "\" already defined at line " +
                                   std::to_string(f.metas[i].line));
    }
    // An explicit key overrides one that came in through "<<".
    f.value.MemberBegin()[i].value = v;
    f.metas[i] = {line, false};
    return Status::OK();
  }

  // "<<: *base" or "<<: [*a, *b]": keys already present win; earlier maps win.
  Status Merge(Frame& f, json::Value& v, const yaml_mark_t& m) {
    if (v.IsObject()) return MergeOne(f, v);
    if (!v.IsArray()) return Error(m, "merge value must be a mapping or a sequence of mappings");
    for (auto& item : v.GetArray()) {
      if (!item.IsObject()) return Error(m, "merge value must be a mapping or a sequence of mappings");
      MergeOne(f, item);
    }
    return Status::OK();
  }

  Status MergeOne(Frame& f, json::Value& src) {
    int line = static_cast<int>(f.key_mark.line) + 1;
    for (auto& member : src.GetObject()) {
      std::string_view key(member.name.GetString(), member.name.GetStringLength());
      if (FindKey(f, key) == std::string::npos) Append(f, key, member.value, line, true);
    }
    return Status::OK();
  }

  const ParseOptions& opts_;
  std::vector<YamlDocument>* out_;
  YamlDocument cur_;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Anchor> anchors_;
  std::unique_ptr<rapidjson::MemoryPoolAllocator<>> anchor_alloc_;
  uint64_t alias_nodes_ = 0;
};

}  // namespace

Status ParseAll(std::string_view text, const ParseOptions& opts, std::vector<YamlDocument>* out) {
  out->clear();
  return Parser(opts, out).Run(text);
}

Status ParseOne(std::string_view text, const ParseOptions& opts, json::Document* out) {
  ParseOptions o = opts;
  o.track_lines = false;
  std::vector<YamlDocument> docs;
  DW_RETURN_IF_ERROR(ParseAll(text, o, &docs));
  if (docs.size() > 1) {
    std::string name = opts.source_name.empty() ? "input" : opts.source_name;
    return Status::BadRequest(name + ": expected one YAML document, found " + std::to_string(docs.size()));
  }
  out->SetNull();
  if (docs.empty()) return Status::OK();
  out->Swap(docs[0].doc);
  return Status::OK();
}

}  // namespace dw::yaml
