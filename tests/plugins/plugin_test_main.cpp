// Element tests run against a private registry (GST_REGISTRY, set by CTest) that
// holds the plugin from this build tree.
#include <gst/gst.h>
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  gst_init(&argc, &argv);
  return RUN_ALL_TESTS();
}
