// RFC 7386 JSON merge patch and the patch generators kubectl uses
// (jsonmergepatch.CreateThreeWayJSONMergePatch semantics: arrays compared whole).
#include <string_view>

#include "operator/patch/patch.h"

namespace dw::patch {
namespace {

std::string_view Name(const json::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// RFC 7386 section 2, in place. `patch` is copied into `a` where kept.
void MergeInto(json::Value& target, const json::Value& patch, json::Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    if (it->value.IsNull()) {
      auto m = target.FindMember(it->name);
      if (m != target.MemberEnd()) target.EraseMember(m);  // keeps member order
      continue;
    }
    json::Value* cur = json::Find(target, Name(it->name));
    if (cur == nullptr) {
      json::Value fresh(rapidjson::kNullType);
      MergeInto(fresh, it->value, a);
      target.AddMember(json::Value(it->name, a), fresh, a);
    } else {
      MergeInto(*cur, it->value, a);
    }
  }
}

enum DiffMode : unsigned { kAdditions = 1, kDeletions = 2 };

// Writes into `out` (an object) the merge patch from `from` to `to`,
// restricted to the kinds of change `mode` asks for.
void Diff(const json::Value& from, const json::Value& to, unsigned mode, json::Value* out,
          json::Allocator& a) {
  if (mode & kDeletions) {
    for (auto it = from.MemberBegin(); it != from.MemberEnd(); ++it)
      if (!to.HasMember(it->name)) out->AddMember(json::Value(it->name, a), json::Value(), a);
  }
  for (auto it = to.MemberBegin(); it != to.MemberEnd(); ++it) {
    auto old = from.FindMember(it->name);
    if (old == from.MemberEnd()) {
      if (mode & kAdditions) out->AddMember(json::Value(it->name, a), json::Value(it->value, a), a);
      continue;
    }
    if (old->value.IsObject() && it->value.IsObject()) {
      json::Value sub(rapidjson::kObjectType);
      Diff(old->value, it->value, mode, &sub, a);
      if (sub.MemberCount() > 0) out->AddMember(json::Value(it->name, a), sub, a);
      continue;
    }
    if ((mode & kAdditions) && !json::Equal(old->value, it->value))
      out->AddMember(json::Value(it->name, a), json::Value(it->value, a), a);
  }
}

// Overlays `src` on `dst` keeping nulls (they are deletions in a patch).
void DeepMerge(json::Value& dst, const json::Value& src, json::Allocator& a) {
  for (auto it = src.MemberBegin(); it != src.MemberEnd(); ++it) {
    json::Value* d = json::Find(dst, Name(it->name));
    if (d != nullptr && d->IsObject() && it->value.IsObject()) {
      DeepMerge(*d, it->value, a);
    } else {
      json::Value v(it->value, a);
      json::SetValue(dst, Name(it->name), v, a);
    }
  }
}

}  // namespace

Status ApplyMergePatch(json::Value& target, const json::Value& patch, json::Allocator& a) {
  MergeInto(target, patch, a);
  return Status::OK();
}

void CreateMergePatch(const json::Value& original, const json::Value& modified,
                      json::Value* patch, json::Allocator& a) {
  if (!original.IsObject() || !modified.IsObject()) {
    patch->CopyFrom(modified, a);
    return;
  }
  patch->SetObject();
  Diff(original, modified, kAdditions | kDeletions, patch, a);
}

void CreateThreeWayMergePatch(const json::Value& last_applied, const json::Value& modified,
                              const json::Value& live, json::Value* patch, json::Allocator& a) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value& last = last_applied.IsObject() ? last_applied : kEmpty;
  const json::Value& cur = live.IsObject() ? live : kEmpty;
  if (!modified.IsObject()) {
    patch->CopyFrom(modified, a);
    return;
  }
  json::Value deletions(rapidjson::kObjectType);
  Diff(last, modified, kDeletions, &deletions, a);
  patch->SetObject();
  Diff(cur, modified, kAdditions, patch, a);
  // The delta wins where both name a key, as upstream's mergepatch.Merge.
  DeepMerge(deletions, *patch, a);
  patch->Swap(deletions);
}

}  // namespace dw::patch
