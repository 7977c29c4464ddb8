# The order path (issue 5) against the real SQLite store and paper broker: crash scenarios with the
# database reopened between steps, the paper broker's injected faults, the kill switch.
kairos_test(order_path_test
  SRCS order_path_test.cc
  DEPS kairos_engine kairos_adapters_sqlite kairos_adapters_sim_broker)
