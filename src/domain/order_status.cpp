#include "domain/order_status.hpp"

namespace coffee::domain {

std::string_view ToString(OrderStatus s) {
  switch (s) {
    case OrderStatus::kPending:
      return "pending";
    case OrderStatus::kConfirmed:
      return "confirmed";
    case OrderStatus::kPreparing:
      return "preparing";
    case OrderStatus::kReady:
      return "ready";
    case OrderStatus::kCompleted:
      return "completed";
    case OrderStatus::kCancelled:
      return "cancelled";
  }
  return "pending";
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view text) {
  if (text == "pending") return OrderStatus::kPending;
  if (text == "confirmed") return OrderStatus::kConfirmed;
  if (text == "preparing") return OrderStatus::kPreparing;
  if (text == "ready") return OrderStatus::kReady;
  if (text == "completed") return OrderStatus::kCompleted;
  if (text == "cancelled") return OrderStatus::kCancelled;
  return std::nullopt;
}

bool IsAllowedTransition(OrderStatus from, OrderStatus to) {
  using S = OrderStatus;
  switch (from) {
    case S::kPending:
      return to == S::kConfirmed || to == S::kCancelled;
    case S::kConfirmed:
      return to == S::kPreparing || to == S::kCancelled;
    case S::kPreparing:
      return to == S::kReady || to == S::kCancelled;
    case S::kReady:
      return to == S::kCompleted || to == S::kCancelled;
    case S::kCompleted:
      return to == S::kCancelled;
    case S::kCancelled:
      return false;
  }
  return false;
}

bool IsInQueue(OrderStatus s) {
  return s == OrderStatus::kPending || s == OrderStatus::kConfirmed || s == OrderStatus::kPreparing;
}

std::string_view ToString(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::kUnpaid:
      return "unpaid";
    case PaymentStatus::kPaid:
      return "paid";
    case PaymentStatus::kRefunded:
      return "refunded";
  }
  return "unpaid";
}

std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text) {
  if (text == "unpaid") return PaymentStatus::kUnpaid;
  if (text == "paid") return PaymentStatus::kPaid;
  if (text == "refunded") return PaymentStatus::kRefunded;
  return std::nullopt;
}

bool IsAllowedPaymentTransition(PaymentStatus from, PaymentStatus to) {
  return (from == PaymentStatus::kUnpaid && to == PaymentStatus::kPaid) ||
         (from == PaymentStatus::kPaid && to == PaymentStatus::kRefunded);
}

}  // namespace coffee::domain
