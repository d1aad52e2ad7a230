#pragma once

#include <optional>
#include <string_view>

namespace coffee::domain {

/// Lifecycle of an order (SPEC §6).
enum class OrderStatus { kPending, kConfirmed, kPreparing, kReady, kCompleted, kCancelled };
std::string_view ToString(OrderStatus s);
std::optional<OrderStatus> ParseOrderStatus(std::string_view text);
/// True for the moves SPEC §6 allows (a same-status "move" is not a transition).
bool IsAllowedTransition(OrderStatus from, OrderStatus to);
/// Orders in these states occupy the baristas (queue delay, SPEC §5.3).
bool IsInQueue(OrderStatus s);

enum class PaymentStatus { kUnpaid, kPaid, kRefunded };
std::string_view ToString(PaymentStatus s);
std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text);
bool IsAllowedPaymentTransition(PaymentStatus from, PaymentStatus to);

}  // namespace coffee::domain
