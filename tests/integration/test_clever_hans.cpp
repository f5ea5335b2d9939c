// A Clever Hans caught with no bias-specific code. samples/models/clever-hans-biased.pt
// learned from scenes where every fight carries a CCTV timestamp and no calm scene does,
// as when the fights come from other cameras; clever-hans-clean.pt from the same
// scenes without it (commands in docs/clever-hans.md). On fresh scenes where the overlay
// is independent of the class, deepbug-eval — given the overlay only as one more region
// and one more attribute — must single out the biased model's overlay strategy and
// leave the clean one's alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct OverlayCluster {
  double coverage = 0;  // share of the class's overlay images in the cluster
  double purity = 0;    // share of the cluster's images with the overlay
};

// Each cluster of the aggressive scenes: how much of the overlay it holds, how purely.
std::vector<OverlayCluster> overlayClusters(const json& strategies) {
  const json& groups = strategies.at("aggressive").at("groups");
  int total = 0;
  for (const json& g : groups)
    total += g.at("attributes").at("overlay").value("1", 0);
  std::vector<OverlayCluster> clusters;
  for (const json& g : groups) {
    const int with = g.at("attributes").at("overlay").value("1", 0);
    clusters.push_back(
        {total > 0 ? with / static_cast<double>(total) : 0, with / g.at("size").get<double>()});
  }
  return clusters;
}

// Whether a cluster holds at least half the overlay images at 90 % purity or more.
bool hasOverlayStrategy(const json& strategies) {
  const auto clusters = overlayClusters(strategies);
  return std::any_of(clusters.begin(), clusters.end(),
                     [](const OverlayCluster& c) { return c.coverage >= 0.5 && c.purity >= 0.9; });
}

std::string describe(const json& strategies) {
  std::string text;
  for (const OverlayCluster& c : overlayClusters(strategies))
    text +=
        " (coverage " + std::to_string(c.coverage) + ", purity " + std::to_string(c.purity) + ")";
  return text;
}

// Of the calm scenes with the overlay, the share called aggressive.
double calmWithOverlayCalledAggressive(const json& figures) {
  const json& matrix = figures["attributes"]["overlay"]["1"]["confusion_matrix"];
  const double calm = matrix[1][0].get<double>() + matrix[1][1].get<double>();
  return calm > 0 ? matrix[1][0].get<double>() / calm : 0;
}

TEST(CleverHans, TheBiasedModelsOverlayStrategyIsFoundAndTheCleanModelHasNone) {
  const fs::path dir = freshTestDir("clever_hans");
  const std::string data = (dir / "data").string(), out = (dir / "eval").string();
  auto run = runCommand(program("deepbug-synth") + " images --count 100 --seed 703 " +
                        "--bias aggressive=0.5,non_aggressive=0.5 --out " + data);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string models = std::string(DEEPBUG_SOURCE_DIR) + "/samples/models/";
  run = runCommand(program("deepbug-eval") + " --model biased=" + models +
                   "clever-hans-biased.pt --model clean=" + models + "clever-hans-clean.pt" +
                   " --data " + data + " --boxes " + data + "/boxes.csv" +
                   " --region aggressive=fight --region non_aggressive=pair --attributes " + data +
                   "/scenes.csv --group-by overlay --clusters 3 --batch 16 --quiet --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(out + "/metrics.json");
  const json metrics = json::parse(in);
  const json& biased = metrics["models"]["biased"]["composites"]["epsilon-plus-flat"];
  const json& clean = metrics["models"]["clean"]["composites"]["epsilon-plus-flat"];

  // One strategy of the biased model is the overlay: most of its overlay fights, nothing
  // else. The clean model has none such.
  EXPECT_TRUE(hasOverlayStrategy(biased["strategies"])) << describe(biased["strategies"]);
  EXPECT_FALSE(hasOverlayStrategy(clean["strategies"])) << describe(clean["strategies"]);

  // The evidence for its correct aggressive calls: several times the clean model's
  // share on the overlay.
  const double biased_share =
      biased["all"]["per_class"]["aggressive"]["parts"]["correct"]["mean_share"]["overlay"];
  const double clean_share =
      clean["all"]["per_class"]["aggressive"]["parts"]["correct"]["mean_share"]["overlay"];
  EXPECT_GE(biased_share, 5 * clean_share) << biased_share << " vs " << clean_share;

  // And what it costs: calm scenes with a timestamp are called fights, and on scenes
  // where the timestamp says nothing the biased model is far behind.
  EXPECT_GE(calmWithOverlayCalledAggressive(biased), 0.6);
  EXPECT_LE(calmWithOverlayCalledAggressive(clean), 0.5);
  EXPECT_LE(biased["all"]["accuracy"].get<double>(), clean["all"]["accuracy"].get<double>() - 0.1);
}

}  // namespace
}  // namespace deepbug::test
