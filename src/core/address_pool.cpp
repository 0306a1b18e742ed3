#include "raswarden/address_pool.hpp"

#include <fmt/format.h>

#include "raswarden/address.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/text.hpp"

namespace raswarden::core {

namespace {
std::string holder_key(const address_request& request) {
  return ascii_lower(request.user) + "|" + ascii_lower(request.port_name);
}

std::string describe_holder(const std::string& holder) {
  const std::size_t bar = holder.find('|');
  return fmt::format("user \"{}\" on port \"{}\"", printable(holder.substr(0, bar)), printable(holder.substr(bar + 1)));
}

std::string ipv4_text(std::uint64_t value) {
  const ip_address a = ipv4_from_number(static_cast<std::uint32_t>(value));
  return fmt::format("{}.{}.{}.{}", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
}
}  // namespace

void address_allocator::lease_table::add(std::uint64_t value, const std::string& holder) {
  holder_of[value] = holder;
  value_of[holder] = value;
}

bool address_allocator::lease_table::remove(std::uint64_t value) {
  const auto found = holder_of.find(value);
  if (found == holder_of.end()) return false;
  if (const auto back = value_of.find(found->second); back != value_of.end() && back->second == value) {
    value_of.erase(back);
  }
  holder_of.erase(found);
  return true;
}

void address_allocator::configure(const ip_assignment_settings& settings) {
  const std::lock_guard lock(mutex_);
  std::map<std::string, range_cursor> pools;
  for (const ipv4_pool& pool : settings.pools) {
    range_cursor cursor{pool.first, pool.last, pool.first};
    // A pool that keeps its range keeps its place, so a reload does not hand out recently freed
    // addresses first.
    if (const auto old = pools_.find(ascii_lower(pool.name));
        old != pools_.end() && old->second.first == pool.first && old->second.last == pool.last) {
      cursor.next = old->second.next;
    }
    pools.emplace(ascii_lower(pool.name), cursor);
  }
  pools_ = std::move(pools);
  static_values_.clear();
  for (const static_address& entry : settings.static_addresses) static_values_.insert(entry.address);
  if (settings.ipv6_interface_ids) {
    const auto& ids = *settings.ipv6_interface_ids;
    ipv6_ids_ = range_cursor{ids[0], ids[1], ipv6_ids_ && ipv6_ids_->first == ids[0] ? ipv6_ids_->next : ids[0]};
  } else {
    ipv6_ids_.reset();
  }
  settings_ = settings;
}

bool address_allocator::enabled() const {
  const std::lock_guard lock(mutex_);
  return settings_.enabled;
}

std::optional<std::uint64_t> address_allocator::take_free(range_cursor& range, const lease_table& leases,
                                                          const std::unordered_set<std::uint64_t>& reserved) {
  if (range.next < range.first || range.next > range.last) range.next = range.first;
  std::uint64_t candidate = range.next;
  // One pass around the range at most.
  for (std::uint64_t tried = 0;; ++tried) {
    if (!leases.holder_of.contains(candidate) && !reserved.contains(candidate)) {
      range.next = candidate == range.last ? range.first : candidate + 1;
      return candidate;
    }
    if (tried == range.last - range.first) break;
    candidate = candidate == range.last ? range.first : candidate + 1;
  }
  return std::nullopt;
}

const static_address* address_allocator::static_for(const address_request& request) const {
  const user_identity who = identify_user(request.user, {});
  for (const static_address& entry : settings_.static_addresses) {
    const user_identity wanted = identify_user(entry.user, {});
    if (wanted.account == who.account && (wanted.domain.empty() || wanted.domain == who.domain)) return &entry;
  }
  return nullptr;
}

lease_result address_allocator::assign_ipv4(const address_request& request, std::uint32_t proposed,
                                            std::string_view pool) {
  const std::lock_guard lock(mutex_);
  lease_result result;
  const std::string holder = holder_key(request);
  // The same user and port asking again (a retried negotiation) keeps its address.
  if (const auto held = ipv4_.value_of.find(holder); held != ipv4_.value_of.end()) {
    result.value = held->second;
    result.source = static_values_.contains(held->second) ? "static" : "pool";
    return result;
  }
  if (const static_address* entry = static_for(request); entry != nullptr) {
    if (const auto taken = ipv4_.holder_of.find(entry->address); taken != ipv4_.holder_of.end()) {
      result.ok = false;
      result.reason = fmt::format("the static address {} of \"{}\" is in use by {}", ipv4_text(entry->address),
                                  entry->user, describe_holder(taken->second));
      return result;
    }
    ipv4_.add(entry->address, holder);
    result.value = entry->address;
    result.source = "static";
    return result;
  }
  if (pools_.empty()) {
    result.ok = proposed != 0;
    result.value = number_from_rras(proposed);
    result.source = "rras";
    if (!result.ok) result.reason = "ip_assignment has no pool for this user and RRAS proposed no address";
    return result;
  }
  const std::string wanted = pool.empty() ? ascii_lower(settings_.pools.front().name) : ascii_lower(pool);
  const auto cursor = pools_.find(wanted);
  if (cursor == pools_.end()) {
    result.ok = false;
    result.reason = fmt::format("no pool named \"{}\"", pool);
    return result;
  }
  result.pool = std::string(pool.empty() ? settings_.pools.front().name : pool);
  const auto value = take_free(cursor->second, ipv4_, static_values_);
  if (!value) {
    result.ok = false;
    result.reason = fmt::format("pool \"{}\" is exhausted: all {} addresses are in use", result.pool,
                                cursor->second.last - cursor->second.first + 1);
    return result;
  }
  ipv4_.add(*value, holder);
  result.value = *value;
  result.source = "pool";
  return result;
}

bool address_allocator::release_ipv4(std::uint32_t address) {
  const std::lock_guard lock(mutex_);
  return ipv4_.remove(address);
}

lease_result address_allocator::assign_ipv6(const address_request& request, std::uint64_t proposed_interface_id) {
  const std::lock_guard lock(mutex_);
  lease_result result;
  const std::string holder = holder_key(request);
  if (const auto held = ipv6_.value_of.find(holder); held != ipv6_.value_of.end()) {
    result.value = held->second;
    result.source = "pool";
    return result;
  }
  if (!ipv6_ids_) {
    result.ok = proposed_interface_id != 0;
    result.value = proposed_interface_id;
    result.source = "rras";
    if (!result.ok) result.reason = "ip_assignment has no ipv6_interface_ids and RRAS proposed none";
    return result;
  }
  const auto value = take_free(*ipv6_ids_, ipv6_, {});
  if (!value) {
    result.ok = false;
    result.reason = fmt::format("ipv6_interface_ids is exhausted: all {} identifiers are in use",
                                ipv6_ids_->last - ipv6_ids_->first + 1);
    return result;
  }
  ipv6_.add(*value, holder);
  result.value = *value;
  result.source = "pool";
  result.pool = "ipv6_interface_ids";
  return result;
}

bool address_allocator::release_ipv6(std::uint64_t interface_id) {
  const std::lock_guard lock(mutex_);
  return ipv6_.remove(interface_id);
}

std::size_t address_allocator::ipv4_leases() const {
  const std::lock_guard lock(mutex_);
  return ipv4_.holder_of.size();
}

std::size_t address_allocator::ipv6_leases() const {
  const std::lock_guard lock(mutex_);
  return ipv6_.holder_of.size();
}

}  // namespace raswarden::core
