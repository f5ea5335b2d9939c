// A Clever Hans caught with no bias-specific code. samples/models/clever-hans-biased.pt
// learned from scenes where a CCTV timestamp sits on 90 % of the fights and 10 % of the
// calm scenes; clever-hans-clean.pt from the same generator without it (commands in
// docs/clever-hans.md). On fresh scenes where the overlay is independent of the class,
// deepbug-eval — given the overlay only as one more region and one more attribute —
// must single out the biased model's overlay strategy and leave the clean one's alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct OverlayCluster {
  double coverage = 0;  // share of the class's overlay images in the cluster
  double purity = 0;    // share of the cluster's images with the overlay
};

// The cluster of the aggressive scenes holding the most overlay images.
OverlayCluster overlayCluster(const json& strategies) {
  const json& groups = strategies.at("aggressive").at("groups");
  int total = 0;
  for (const json& g : groups)
    total += g.at("attributes").at("overlay").value("1", 0);
  OverlayCluster best;
  for (const json& g : groups) {
    const int with = g.at("attributes").at("overlay").value("1", 0);
    if (total == 0 || with / static_cast<double>(total) <= best.coverage) continue;
    best = {with / static_cast<double>(total), with / g["size"].get<double>()};
  }
  return best;
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
                   "/scenes.csv --group-by overlay --clusters 2 --batch 16 --quiet --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(out + "/metrics.json");
  const json metrics = json::parse(in);
  const json& biased = metrics["models"]["biased"]["composites"]["epsilon-plus-flat"];
  const json& clean = metrics["models"]["clean"]["composites"]["epsilon-plus-flat"];

  // One strategy of the biased model holds the overlay scenes, and little else.
  const OverlayCluster found = overlayCluster(biased["strategies"]);
  EXPECT_GE(found.coverage, 0.8);
  EXPECT_GE(found.purity, 0.8);
  // No strategy of the clean model is about the overlay.
  const OverlayCluster none = overlayCluster(clean["strategies"]);
  EXPECT_FALSE(none.coverage >= 0.8 && none.purity >= 0.8)
      << none.coverage << " of the overlay images at purity " << none.purity;

  // The evidence for its correct aggressive calls: several times the clean model's
  // share on the overlay.
  const double biased_share =
      biased["all"]["per_class"]["aggressive"]["parts"]["correct"]["mean_share"]["overlay"];
  const double clean_share =
      clean["all"]["per_class"]["aggressive"]["parts"]["correct"]["mean_share"]["overlay"];
  EXPECT_GE(biased_share, 5 * clean_share) << biased_share << " vs " << clean_share;

  // And what it costs: calm scenes with a timestamp are called fights.
  EXPECT_GE(calmWithOverlayCalledAggressive(biased), 0.6);
  EXPECT_LE(calmWithOverlayCalledAggressive(clean), 0.5);
}

}  // namespace
}  // namespace deepbug::test
