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

  // Appends columnDefinitions to `table` (an object being built).
  void AddColumns(json::Value& table, json::Allocator& a) const;
  // One row for `obj`.
  json::Value Row(const json::Value& obj, IncludeObject include, json::Allocator& a) const;

 private:
  struct Column;
  const schema::ResourceInfo& r_;
  std::vector<std::unique_ptr<Column>> columns_;
};

IncludeObject ParseIncludeObject(const std::string& s);

}  // namespace dw::apiserver
