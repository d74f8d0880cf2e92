// Evaluation and kubectl-style rendering of parsed JSONPath templates.
#include "operator/jsonpath/jsonpath.h"

#include <string_view>

#include "operator/jsonpath/ast.h"

namespace dw::jsonpath {

using ast::Expr;
using ast::Node;
using ast::Step;
using Values = std::vector<const json::Value*>;

struct JsonPath::Impl {
  std::vector<Node> nodes;
};

namespace {

class Evaluator {
 public:
  Evaluator(const json::Value& root, bool allow_missing) : root_(root), allow_missing_(allow_missing) {}

  Status Eval(const Expr& e, const json::Value& cur, Values* out) const {
    Values vals{e.from_root ? &root_ : &cur};
    for (const Step& st : e.steps) {
      Values next;
      DW_RETURN_IF_ERROR(Apply(st, vals, &next));
      vals.swap(next);
    }
    *out = std::move(vals);
    return Status::OK();
  }

 private:
  Status Apply(const Step& st, const Values& in, Values* out) const {
    switch (st.type) {
      case Step::Type::kFields: return Fields(st, in, out);
      case Step::Type::kIndexes: return Indexes(st, in, out);
      case Step::Type::kWildcard:
        for (const json::Value* v : in) {
          if (v->IsArray()) {
            for (const auto& e : v->GetArray()) out->push_back(&e);
          } else if (v->IsObject()) {
            for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) out->push_back(&it->value);
          }
        }
        return Status::OK();
      case Step::Type::kRecursive:
        for (const json::Value* v : in) Descendants(*v, out);
        return Status::OK();
      case Step::Type::kFilter: return Filter(*st.filter, in, out);
    }
    return Status::OK();
  }

  Status Fields(const Step& st, const Values& in, Values* out) const {
    for (const json::Value* v : in)
      for (const auto& f : st.fields)
        if (const json::Value* m = v->IsObject() ? json::Find(*v, f) : nullptr) out->push_back(m);
    if (out->empty() && !allow_missing_ && !in.empty()) return Status::NotFound(st.fields[0] + " is not found");
    return Status::OK();
  }

  Status Indexes(const Step& st, const Values& in, Values* out) const {
    for (const json::Value* v : in) {
      if (!v->IsArray()) continue;
      long len = static_cast<long>(v->Size());
      for (const auto& sub : st.subscripts) {
        if (!sub.slice) {
          long i = sub.start < 0 ? sub.start + len : sub.start;
          if (i < 0 || i >= len) {
            if (allow_missing_) continue;
            return Status::NotFound("array index out of bounds: index " + std::to_string(sub.start) +
                                    ", length " + std::to_string(len));
          }
          out->push_back(&(*v)[static_cast<rapidjson::SizeType>(i)]);
          continue;
        }
        Slice(*v, sub, len, out);
      }
    }
    return Status::OK();
  }

  static void Slice(const json::Value& v, const ast::Subscript& sub, long len, Values* out) {
    auto clamp = [len](long x) {
      if (x < 0) x += len;
      return x < 0 ? 0 : (x > len ? len : x);
    };
    if (sub.step > 0) {
      long b = sub.has_start ? clamp(sub.start) : 0;
      long e = sub.has_end ? clamp(sub.end) : len;
      for (long i = b; i < e; i += sub.step) out->push_back(&v[static_cast<rapidjson::SizeType>(i)]);
    } else {
      long b = sub.has_start ? clamp(sub.start) : len - 1;
      long e = sub.has_end ? clamp(sub.end) : -1;
      if (b >= len) b = len - 1;
      for (long i = b; i > e; i += sub.step) out->push_back(&v[static_cast<rapidjson::SizeType>(i)]);
    }
  }

  static void Descendants(const json::Value& v, Values* out) {
    out->push_back(&v);
    if (v.IsArray()) {
      for (const auto& e : v.GetArray()) Descendants(e, out);
    } else if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) Descendants(it->value, out);
    }
  }

  Status Filter(const ast::Filter& f, const Values& in, Values* out) const {
    Evaluator lenient(root_, true);
    for (const json::Value* v : in) {
      if (!v->IsArray()) continue;
      for (const auto& item : v->GetArray()) {
        Values left;
        DW_RETURN_IF_ERROR(lenient.Eval(f.left, item, &left));
        if (f.op.empty()) {
          if (!left.empty()) out->push_back(&item);
          continue;
        }
        const json::Value* right = &f.right_literal;
        Values rvals;
        if (f.right_is_path) {
          DW_RETURN_IF_ERROR(lenient.Eval(f.right_path, item, &rvals));
          right = rvals.empty() ? nullptr : rvals[0];
        }
        if (!left.empty() && right != nullptr && Compare(*left[0], f.op, *right)) out->push_back(&item);
      }
    }
    return Status::OK();
  }

  static bool Compare(const json::Value& l, const std::string& op, const json::Value& r) {
    if (op == "==") return json::Equal(l, r);
    if (op == "!=") return !json::Equal(l, r);
    int c;
    if (l.IsNumber() && r.IsNumber()) {
      double a = l.GetDouble(), b = r.GetDouble();
      c = a < b ? -1 : (a > b ? 1 : 0);
    } else if (l.IsString() && r.IsString()) {
      c = std::string_view(l.GetString(), l.GetStringLength())
              .compare(std::string_view(r.GetString(), r.GetStringLength()));
    } else {
      return false;
    }
    if (op == "<") return c < 0;
    if (op == ">") return c > 0;
    if (op == "<=") return c <= 0;
    return c >= 0;
  }

  const json::Value& root_;
  bool allow_missing_;
};

// kubectl prints strings bare, other scalars as JSON, containers as compact JSON.
void Print(const json::Value& v, std::string* out) {
  if (v.IsString()) {
    out->append(v.GetString(), v.GetStringLength());
  } else {
    *out += json::Serialize(v);
  }
}

Status Render(const std::vector<Node>& nodes, const Evaluator& ev, const json::Value& cur, std::string* out) {
  for (const Node& n : nodes) {
    if (n.type == Node::Type::kText) {
      *out += n.text;
      continue;
    }
    Values vals;
    DW_RETURN_IF_ERROR(ev.Eval(n.expr, cur, &vals));
    if (n.type == Node::Type::kRange) {
      for (const json::Value* v : vals) DW_RETURN_IF_ERROR(Render(n.children, ev, *v, out));
      continue;
    }
    for (size_t i = 0; i < vals.size(); ++i) {
      if (i > 0) *out += ' ';
      Print(*vals[i], out);
    }
  }
  return Status::OK();
}

const Node* FirstExpr(const std::vector<Node>& nodes) {
  for (const Node& n : nodes)
    if (n.type != Node::Type::kText) return &n;
  return nullptr;
}

}  // namespace

JsonPath::JsonPath() : impl_(std::make_unique<Impl>()) {}
JsonPath::~JsonPath() = default;
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;

Status JsonPath::Parse(const std::string& expr, JsonPath* out) {
  std::string tmpl = expr.find('{') == std::string::npos ? "{" + expr + "}" : expr;
  auto impl = std::make_unique<Impl>();
  DW_RETURN_IF_ERROR(ast::ParseTemplate(tmpl, &impl->nodes));
  out->impl_ = std::move(impl);
  return Status::OK();
}

Status JsonPath::Execute(const json::Value& root, bool allow_missing, std::string* out) const {
  std::string text;
  Evaluator ev(root, allow_missing);
  DW_RETURN_IF_ERROR(Render(impl_->nodes, ev, root, &text));
  *out = std::move(text);
  return Status::OK();
}

std::vector<const json::Value*> JsonPath::Select(const json::Value& root) const {
  const Node* n = FirstExpr(impl_->nodes);
  Values vals;
  if (n == nullptr || !Evaluator(root, true).Eval(n->expr, root, &vals).ok()) return {};
  return vals;
}

}  // namespace dw::jsonpath
