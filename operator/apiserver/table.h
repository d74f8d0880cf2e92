// Server-side printing: turns objects into a meta.k8s.io/v1 Table from the
// kind's additionalPrinterColumns, the way the apiextensions apiserver does
// (a leading Name column, date columns rendered as ages, typed cells, missing
// values as null). kubectl's `get` prints what this returns.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "operator/json/json.h"
#include "operator/schema/resource_info.h"

namespace dw::apiserver {

enum class IncludeObject { kNone, kMetadata, kObject };

class TableConvertor {
 public:
  explicit TableConvertor(const schema::ResourceInfo& r);
  ~TableConvertor();

  // Makes `table` a meta.k8s.io/v1 Table at resourceVersion `rv` with an
  // empty rows array, and this kind's columnDefinitions unless `with_columns`
  // is false (watch events after the first carry rows only).
  void InitTable(json::Document& table, int64_t rv, bool with_columns) const;
  // One row for `obj`.
  json::Value Row(const json::Value& obj, IncludeObject include, json::Allocator& a) const;

 private:
  struct Column;
  const schema::ResourceInfo& r_;
  std::vector<std::unique_ptr<Column>> columns_;
};

IncludeObject ParseIncludeObject(const std::string& s);

}  // namespace dw::apiserver
