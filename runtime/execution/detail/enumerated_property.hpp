// Shared shape of the enumerated executor properties (blocking, outstanding_work,
// relationship): each alternative is an empty, requirable and preferable tag that converts to
// the group type, and the group type is what executors return from query().
#pragma once

namespace proa::detail {

// Alternative number `Index` of the property group `Group`. Group is incomplete when its
// alternatives are declared, so only declarations may name it here.
template <typename Group, int Index>
struct enumerated_property_value {
  static constexpr bool is_requirable = true;
  static constexpr bool is_preferable = true;
  using polymorphic_query_result_type = Group;

  static constexpr Group value() noexcept { return Group(enumerated_property_value{}); }

  friend constexpr bool operator==(enumerated_property_value, enumerated_property_value) noexcept {
    return true;
  }
};

// The group: holds which alternative an executor has (or none, when default-constructed).
template <typename Derived>
class enumerated_property {
 public:
  static constexpr bool is_requirable = false;
  static constexpr bool is_preferable = false;
  using polymorphic_query_result_type = Derived;

  constexpr enumerated_property() noexcept = default;

  template <int Index>
  constexpr enumerated_property(enumerated_property_value<Derived, Index>) noexcept
      : index_(Index) {}

  friend constexpr bool operator==(const enumerated_property& a,
                                   const enumerated_property& b) noexcept {
    return a.index_ == b.index_;
  }

 private:
  int index_ = -1;
};

}  // namespace proa::detail
