// Element tests run against a private registry that holds the plugin from this build
// tree; the user's registry is never touched.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  setenv("GST_REGISTRY", DEEPBUG_GST_REGISTRY, 1);
  setenv("GST_PLUGIN_PATH", DEEPBUG_PLUGIN_DIR, 1);
  // Scan in this process: the separate scanner is not built with the sanitizers, so it
  // could not load a sanitized plugin and would blacklist it.
  setenv("GST_REGISTRY_FORK", "no", 1);
  gst_init(&argc, &argv);
  return RUN_ALL_TESTS();
}
