#include "operator/apiserver/table.h"

#include <functional>

#include "operator/common/clock.h"
#include "operator/jsonpath/jsonpath.h"

namespace dw::apiserver {

namespace {

json::Value AgeCell(const json::Value* v, json::Allocator& a) {
  clock::TimePoint t;
  if (!v || !v->IsString()) return json::Value();  // null: kubectl prints <none>/<unknown>
  if (!clock::ParseRfc3339(v->GetString(), &t)) return json::Value("<invalid>", a);
  auto age = std::chrono::duration_cast<std::chrono::seconds>(clock::Now() - t);
  return json::Str(clock::HumanDuration(age), a);
}

// Renders a value the way a string printer column shows it.
json::Value StringCell(const json::Value& v, json::Allocator& a) {
  if (v.IsString()) return json::Value(v, a);
  if (v.IsNull()) return json::Value();
  return json::Str(json::Serialize(v), a);
}

}  // namespace

struct TableConvertor::Column {
  schema::PrinterColumn def;
  jsonpath::JsonPath path;
  bool path_ok = false;
  // Set for columns that a JSONPath cannot express (Secret data count...).
  std::function<json::Value(const json::Value&, json::Allocator&)> compute;

  json::Value Cell(const json::Value& obj, json::Allocator& a) const {
    if (compute) return compute(obj, a);
    if (!path_ok) return json::Value();
    auto found = path.Select(obj);
    if (found.empty() || !found[0]) return json::Value();
    const json::Value& v = *found[0];
    const std::string& t = def.type;
    if (t == "date") return AgeCell(&v, a);
    if (t == "integer") return v.IsNumber() ? json::Value(v.IsInt64() ? v.GetInt64() : static_cast<int64_t>(v.GetDouble())) : json::Value();
    if (t == "number") return v.IsNumber() ? json::Value(v, a) : json::Value();
    if (t == "boolean") return v.IsBool() ? json::Value(v.GetBool()) : json::Value();
    return StringCell(v, a);
  }
};

IncludeObject ParseIncludeObject(const std::string& s) {
  if (s == "None") return IncludeObject::kNone;
  if (s == "Object") return IncludeObject::kObject;
  return IncludeObject::kMetadata;
}

TableConvertor::TableConvertor(const schema::ResourceInfo& r) : r_(r) {
  auto add = [&](schema::PrinterColumn def,
                 std::function<json::Value(const json::Value&, json::Allocator&)> compute = nullptr) {
    auto c = std::make_unique<Column>();
    c->def = std::move(def);
    c->compute = std::move(compute);
    if (!c->compute && !c->def.json_path.empty())
      c->path_ok = jsonpath::JsonPath::Parse(c->def.json_path, &c->path).ok();
    columns_.push_back(std::move(c));
  };
  add({"Name", "string", "name", "Name must be unique within a namespace.", ".metadata.name", 0});
  bool core = r.group.empty();
  if (core && r.plural == "events") {
    // Events print like kubectl's built-in printer; a JSONPath cannot join
    // kind/name or fall back from lastTimestamp to eventTime.
    columns_.clear();
    add({"Last Seen", "string", "", "Time since the event was last seen", "", 0},
        [](const json::Value& o, json::Allocator& a) {
          const json::Value* t = json::Find(o, "lastTimestamp");
          if (!t || !t->IsString()) t = json::Find(o, "eventTime");
          return AgeCell(t, a);
        });
    add({"Type", "string", "", "", ".type", 0});
    add({"Reason", "string", "", "", ".reason", 0});
    add({"Object", "string", "", "", "", 0}, [](const json::Value& o, json::Allocator& a) {
      const json::Value* io = json::Find(o, "involvedObject");
      if (!io) return json::Value();
      std::string kind = json::GetString(*io, "kind");
      for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return json::Str(kind + "/" + json::GetString(*io, "name"), a);
    });
    add({"Message", "string", "", "", ".message", 0});
    return;
  }
  for (const auto& pc : r.columns) {
    if (pc.name == "Name" && pc.json_path == ".metadata.name") continue;
    add(pc);
  }
  if (core && r.plural == "secrets") {
    // kubectl shows the number of data keys before Age.
    auto age = columns_.end();
    for (auto it = columns_.begin(); it != columns_.end(); ++it)
      if ((*it)->def.name == "Age") age = it;
    std::unique_ptr<Column> age_col;
    if (age != columns_.end()) {
      age_col = std::move(*age);
      columns_.erase(age);
    }
    add({"Data", "integer", "", "Number of data keys", "", 0}, [](const json::Value& o, json::Allocator&) {
      const json::Value* d = json::Find(o, "data");
      return json::Value(static_cast<int64_t>(d && d->IsObject() ? d->MemberCount() : 0));
    });
    if (age_col) columns_.push_back(std::move(age_col));
  }
  if (r.columns.empty())
    add({"Age", "date", "", "", ".metadata.creationTimestamp", 0});
}

TableConvertor::~TableConvertor() = default;

void TableConvertor::InitTable(json::Document& table, int64_t rv, bool with_columns) const {
  table.SetObject();
  auto& a = table.GetAllocator();
  table.AddMember("kind", "Table", a);
  table.AddMember("apiVersion", "meta.k8s.io/v1", a);
  json::Value md(rapidjson::kObjectType);
  md.AddMember("resourceVersion", json::Str(std::to_string(rv), a), a);
  table.AddMember("metadata", md, a);
  if (with_columns) {
    json::Value defs(rapidjson::kArrayType);
    for (const auto& c : columns_) {
      json::Value d(rapidjson::kObjectType);
      d.AddMember("name", json::Str(c->def.name, a), a);
      d.AddMember("type", json::Str(c->def.type, a), a);
      d.AddMember("format", json::Str(c->def.format, a), a);
      d.AddMember("description", json::Str(c->def.description, a), a);
      d.AddMember("priority", c->def.priority, a);
      defs.PushBack(d, a);
    }
    table.AddMember("columnDefinitions", defs, a);
  }
  table.AddMember("rows", json::Value(rapidjson::kArrayType), a);
}

json::Value TableConvertor::Row(const json::Value& obj, IncludeObject include, json::Allocator& a) const {
  json::Value row(rapidjson::kObjectType);
  json::Value cells(rapidjson::kArrayType);
  for (const auto& c : columns_) cells.PushBack(c->Cell(obj, a), a);
  row.AddMember("cells", cells, a);
  if (include == IncludeObject::kObject) {
    row.AddMember("object", json::Value(obj, a), a);
  } else if (include == IncludeObject::kMetadata) {
    json::Value pom(rapidjson::kObjectType);
    pom.AddMember("kind", "PartialObjectMetadata", a);
    pom.AddMember("apiVersion", "meta.k8s.io/v1", a);
    const json::Value* m = json::Find(obj, "metadata");
    pom.AddMember("metadata", m ? json::Value(*m, a) : json::Value(rapidjson::kObjectType), a);
    row.AddMember("object", pom, a);
  }
  return row;
}

}  // namespace dw::apiserver
