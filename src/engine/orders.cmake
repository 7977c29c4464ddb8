# The order path (issue 5, helper D1): order manager, FIFO ledger, kill switch, and the in-memory
# fakes of the ports (testing/) that every engine unit test may use.
list(APPEND KAIROS_ENGINE_SRCS
  ${CMAKE_CURRENT_SOURCE_DIR}/ledger.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/order_manager.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/kill_switch.cc)
list(APPEND KAIROS_ENGINE_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/testing/fakes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/testing/fakes_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/testing/fake_store_contract_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/ledger_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/order_manager_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/kill_switch_test.cc)
