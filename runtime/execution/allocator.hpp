// execution::allocator: the allocator an executor uses for the memory of submitted functions.
// `allocator` itself means "the default"; `allocator(a)` asks for `a`.
#pragma once

namespace proa::execution {

template <typename ProtoAllocator>
class allocator_t {
 public:
  static constexpr bool is_requirable = true;
  static constexpr bool is_preferable = true;

  constexpr explicit allocator_t(const ProtoAllocator& a) : allocator_(a) {}

  constexpr ProtoAllocator value() const { return allocator_; }

 private:
  ProtoAllocator allocator_;
};

template <>
class allocator_t<void> {
 public:
  static constexpr bool is_requirable = true;
  static constexpr bool is_preferable = true;

  constexpr allocator_t() noexcept = default;

  template <typename ProtoAllocator>
  constexpr allocator_t<ProtoAllocator> operator()(const ProtoAllocator& a) const {
    return allocator_t<ProtoAllocator>(a);
  }
};

inline constexpr allocator_t<void> allocator{};

}  // namespace proa::execution
