#include "reconcilers/backup/runner_redis_mark.h"

#include <algorithm>

namespace dw::backup {
namespace {
constexpr size_t kRdbTrailer = 9;  // 0xFF + CRC-64
}

Status RedisEofMarkFilter::Forward(std::string_view data) {
  if (data.empty()) return Status::OK();
  if (data.size() >= kRdbTrailer) {
    before_.assign(data.substr(data.size() - kRdbTrailer));
  } else {
    before_.append(data);
    if (before_.size() > kRdbTrailer) before_.erase(0, before_.size() - kRdbTrailer);
  }
  return next_->Write(data);
}

Status RedisEofMarkFilter::Write(std::string_view data) {
  if (held_.size() + data.size() <= kMarkSize) {
    held_.append(data);
    return Status::OK();
  }
  // Forward everything but the last kMarkSize bytes of held_ + data, without
  // copying `data` itself.
  size_t keep_from_data = std::min(data.size(), kMarkSize);
  size_t forward_held = held_.size() - (kMarkSize - keep_from_data);
  DW_RETURN_IF_ERROR(Forward(std::string_view(held_).substr(0, forward_held)));
  DW_RETURN_IF_ERROR(Forward(data.substr(0, data.size() - keep_from_data)));
  held_.erase(0, forward_held);
  held_.append(data.substr(data.size() - keep_from_data));
  return Status::OK();
}

bool RedisEofMarkFilter::HeldIsMark() const {
  if (held_.size() != kMarkSize || before_.size() != kRdbTrailer) return false;
  if (static_cast<unsigned char>(before_[0]) != 0xFF) return false;
  for (char c : held_)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Status RedisEofMarkFilter::Finish() {
  if (!HeldIsMark()) DW_RETURN_IF_ERROR(Forward(held_));
  held_.clear();
  return next_->Finish();
}

}  // namespace dw::backup
