#include "domain/record_checks.h"

#include <gtest/gtest.h>

namespace kairos {
namespace {

Order MakeOrder(int64_t qty, int64_t filled) {
  Order o;
  o.request.client_order_id = "sma-GOOG-1";
  o.request.qty = Quantity::FromUnits(qty);
  o.filled_qty = Quantity::FromUnits(filled);
  return o;
}

TEST(CheckNewOrderTest, AcceptsAPositiveQuantityFilledWithinIt) {
  EXPECT_TRUE(CheckNewOrder(MakeOrder(10, 0)).ok());
  EXPECT_TRUE(CheckNewOrder(MakeOrder(10, 10)).ok());
}

TEST(CheckNewOrderTest, RefusesEachBrokenInvariantByName) {
  Order no_id = MakeOrder(10, 0);
  no_id.request.client_order_id.clear();
  EXPECT_EQ(CheckNewOrder(no_id), Status::InvalidArgument("an order needs a client order id"));
  EXPECT_EQ(CheckNewOrder(MakeOrder(0, 0)),
            Status::InvalidArgument("order 'sma-GOOG-1': quantity 0 is not positive"));
  EXPECT_EQ(CheckNewOrder(MakeOrder(10, 11)),
            Status::InvalidArgument("order 'sma-GOOG-1': filled quantity 11 is outside 0..10"));
  EXPECT_EQ(CheckNewOrder(MakeOrder(10, -1)),
            Status::InvalidArgument("order 'sma-GOOG-1': filled quantity -1 is outside 0..10"));
}

TEST(CheckOrderFilledTest, NamesTheOrderByIdWhenTheUpdateOverfills) {
  EXPECT_TRUE(CheckOrderFilled(7, Quantity::FromUnits(10), Quantity::FromUnits(10)).ok());
  EXPECT_EQ(CheckOrderFilled(7, Quantity::FromUnits(11), Quantity::FromUnits(10)),
            Status::InvalidArgument("order 7: filled quantity 11 is outside 0..10"));
}

TEST(CheckNewFillTest, RefusesNoExecutionIdNoQuantityAndNegativeFees) {
  Fill f;
  f.execution_id = "x-1";
  f.qty = Quantity::FromUnits(5);
  EXPECT_TRUE(CheckNewFill(f).ok());
  Fill no_id = f;
  no_id.execution_id.clear();
  EXPECT_EQ(CheckNewFill(no_id), Status::InvalidArgument("a fill needs an execution id"));
  Fill zero = f;
  zero.qty = Quantity::FromUnits(0);
  EXPECT_EQ(CheckNewFill(zero), Status::InvalidArgument("fill 'x-1': quantity 0 is not positive"));
  Fill rebate = f;
  rebate.fees = -3;
  EXPECT_EQ(CheckNewFill(rebate), Status::InvalidArgument("fill 'x-1': fees -3 are negative"));
}

TEST(CheckOpenPositionTest, NegativeSessionsHeldIsRefusedOnlyWhileOpen) {
  Position p;
  p.strategy = "sma";
  p.symbol = "GOOG";
  p.qty = Quantity::FromUnits(3);
  p.sessions_held = -1;
  EXPECT_EQ(CheckOpenPosition(p),
            Status::InvalidArgument("position sma/GOOG: sessions held -1 is negative"));
  p.qty = Quantity::FromUnits(0);
  EXPECT_TRUE(CheckOpenPosition(p).ok());
}

}  // namespace
}  // namespace kairos
