#include "eval_run.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "attribution_method.hpp"
#include "class_averages.hpp"
#include "core/error.hpp"
#include "core/partial_folder.hpp"
#include "core/seed.hpp"
#include "eval_dataset.hpp"
#include "eval_figures.hpp"
#include "eval_gallery.hpp"
#include "eval_report.hpp"
#include "faithfulness_tally.hpp"
#include "heatmap_summaries.hpp"
#include "image_batches.hpp"
#include "lrp/explainer.hpp"
#include "metrics/model_comparison.hpp"
#include "metrics/regions.hpp"
#include "model/device.hpp"
#include "model/model_loader.hpp"
#include "render/heatmap.hpp"
#include "sanity_check.hpp"
#include "scene_attributes.hpp"
#include "strategies.hpp"

namespace deepbug::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Each class folder's index among the model's labels. The labels must be the class
// folders, in any order: a prediction is then always a class of the data.
std::vector<int64_t> labelIndices(const std::vector<std::string>& classes,
                                  const std::vector<std::string>& labels, const ModelSpec& model) {
  std::string all;
  for (const auto& label : labels)
    all += (all.empty() ? "" : ", ") + label;
  const std::string hint = "the model's labels: " + all + "; name the class folders after them";
  std::vector<int64_t> indices;
  for (const std::string& cls : classes) {
    const auto found = std::find(labels.begin(), labels.end(), cls);
    if (found == labels.end()) {
      throw ConfigError("class folder '" + cls + "' is not a label of model '" + model.name +
                            "' (" + model.path + ")",
                        hint);
    }
    indices.push_back(found - labels.begin());
  }
  if (labels.size() != classes.size()) {
    throw ConfigError("model '" + model.name + "' has " + std::to_string(labels.size()) +
                          " labels, --data " + std::to_string(classes.size()) + " class folders",
                      hint);
  }
  return indices;
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

class EvalRun {
 public:
  EvalRun(const EvalOptions& options, fs::path dir)
      : o_(options), dir_(std::move(dir)), data_(scanDataset(options.data, options.limit)) {
    if (!o_.regions.empty()) regions_ = metrics::readRegions(o_.regions);
    if (!o_.region_rules.empty() && o_.regions.empty()) {
      throw ConfigError("--region needs --boxes or --coco", "give the file that holds the regions");
    }
    right_ = metrics::rightRegions(o_.region_rules, data_.classes, regions_, "--region");
    // Checked before any model is loaded (AttributionMethod reads it per composite).
    if (!lrp::parseInitialRelevance(o_.init)) {
      throw ConfigError("--init '" + o_.init + "' is unknown", "use logit, one or contrastive");
    }
    if (!o_.attributes.empty()) {
      attributes_ = readSceneAttributes(o_.attributes, o_.group_by);
    } else if (!o_.group_by.empty()) {
      throw ConfigError("--group-by needs --attributes", "give the table that holds the column");
    }
    for (const EvalImage& image : data_.images)
      files_.push_back(image.file);
  }

  int run() {
    json out{{"data", o_.data},
             {"classes", data_.classes},
             {"variations", data_.variations()},
             {"images", data_.images.size()},
             {"options",
              {{"target", o_.target},
               {"init", o_.init},
               {"limit_per_class", o_.limit},
               {"pointing_tolerance", o_.localization.pointing_tolerance},
               {"top_k", o_.localization.top_k},
               {"macro_threshold", o_.localization.macro_threshold},
               {"random_map_seed", o_.seed}}}};
    json without = json::array();
    for (std::size_t c = 0; c < data_.classes.size(); ++c) {
      out["right_region"][data_.classes[c]] = right_[c];
      if (right_[c].empty()) without.push_back(data_.classes[c]);
    }
    out["classes_without_region"] = without;
    if (!o_.attributes.empty()) {
      out["attribute_table"] = {{"file", o_.attributes},
                                {"columns", attributes_.columns},
                                {"skipped", attributes_.skipped}};
    }
    std::map<std::string, std::vector<bool>> correct_by_model;
    for (const ModelSpec& model : o_.models) {
      out["models"][model.name] = runModel(model, correct_by_model[model.name]);
    }
    out["skipped_images"] = skipped_;
    out["comparison"] = compare(correct_by_model);
    out["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    perImage().flush();
    if (!per_image_) throw Error("cannot write '" + (dir_ / "per_image.csv").string() + "'");
    std::ofstream metrics(dir_ / "metrics.json");
    metrics << out.dump(2) << "\n";
    if (!metrics.flush()) throw Error("cannot write '" + (dir_ / "metrics.json").string() + "'");
    if (!o_.quiet) std::cerr << "\n";
    return explained_any_ ? kExitOk : kExitFailure;
  }

 private:
  json runModel(const ModelSpec& spec, std::vector<bool>& correct) {
    model::LoadOptions load;
    load.path = spec.path;
    load.device = model::resolveDevice(o_.device);
    const model::LoadedModel loaded = model::loadModel(load);
    const std::vector<int64_t> label_of = labelIndices(data_.classes, loaded.metadata.labels, spec);
    std::optional<int64_t> fixed_target;
    if (o_.target != "true" && o_.target != "predicted") {
      const auto& labels = loaded.metadata.labels;
      const auto found = std::find(labels.begin(), labels.end(), o_.target);
      if (found == labels.end()) {
        throw ConfigError(
            "--target '" + o_.target + "' is not a label of model '" + spec.name + "'",
            "use true, predicted or one of its labels");
      }
      fixed_target = found - labels.begin();
    }
    const model::Preprocessor preprocessor(loaded.metadata, load.device);
    json result{{"path", spec.path}, {"labels", loaded.metadata.labels}};
    for (const std::string& composite : o_.composites) {
      const AttributionMethod method(composite, loaded, spec.path, load.device, o_.init);
      result["composites"][composite] = runComposite(spec, composite, method, preprocessor, loaded,
                                                     label_of, fixed_target, correct);
    }
    return result;
  }

  json runComposite(const ModelSpec& spec, const std::string& composite,
                    const AttributionMethod& method, const model::Preprocessor& preprocessor,
                    const model::LoadedModel& loaded, const std::vector<int64_t>& label_of,
                    std::optional<int64_t> fixed_target, std::vector<bool>& correct) {
    std::map<std::string, GroupFigures> groups;
    const auto group = [&](const std::string& name) -> GroupFigures& {
      return groups.try_emplace(name, data_.classes.size()).first->second;
    };
    group("all");
    // column → value → figures
    std::map<std::string, std::map<std::string, GroupFigures>> by_attribute;
    ClassAverages averages(data_.classes, o_.align);
    Gallery gallery(spec.name, composite, files_.size());
    std::optional<FaithfulnessTally> faithfulness;
    if (o_.faithfulness) faithfulness.emplace(o_.faithfulness_options, files_.size());
    std::optional<SanityCheck> sanity;
    if (o_.sanity) sanity.emplace(o_.sanity_options, files_.size());
    const std::vector<std::string>& labels = loaded.metadata.labels;
    const metrics::LogitFunction logits = [&method](const at::Tensor& x) {
      return method.logits(x);
    };
    const bool first_composite = correct.empty();
    if (first_composite) correct.assign(files_.size(), false);
    explain_tool::BatchCallbacks callbacks;
    callbacks.batch = [&](const explain_tool::ImageBatch& batch) {
      std::vector<std::size_t> index;
      std::vector<int64_t> targets;
      for (const explain_tool::ImageFile* file : batch.files) {
        index.push_back(static_cast<std::size_t>(file - files_.data()));
        targets.push_back(label_of[data_.images[index.back()].class_index]);
      }
      TargetChoice choice;
      if (o_.target == "true") {
        choice.per_image = targets;
      } else {
        choice.fixed = fixed_target;
      }
      const Explained result = method.explain(batch.input, choice);
      const at::Tensor maps = render::toPixelMap(result.relevance).to(at::kCPU, at::kDouble);
      if (faithfulness) {
        std::vector<int64_t> rows, row_targets;
        for (std::size_t n = 0; n < index.size(); ++n) {
          if (!faithfulness->wants(index[n])) continue;
          rows.push_back(static_cast<int64_t>(n));
          row_targets.push_back(result.targets[n]);
        }
        if (!rows.empty()) {
          const at::Tensor chosen = at::tensor(rows, at::kLong);
          faithfulness->add(logits, batch.input.index_select(0, chosen.to(batch.input.device())),
                            maps.index_select(0, chosen), row_targets);
        }
      }
      if (sanity) sanity->add(index, batch.input, maps, result.targets);
      // The engine explains logits (a model's final softmax is stripped on import), so
      // the scores are their softmax whatever the model's output kind.
      const at::Tensor scores = result.logits.softmax(1).to(at::kCPU);
      for (std::size_t n = 0; n < index.size(); ++n) {
        const EvalImage& image = data_.images[index[n]];
        const int64_t predicted = scores[static_cast<int64_t>(n)].argmax().item<int64_t>();
        const bool right = predicted == label_of[image.class_index];
        if (first_composite) correct[index[n]] = right;
        Scored scored = score(image, maps[static_cast<int64_t>(n)], batch.geometries[n], index[n]);
        std::vector<GroupFigures*> in{&group("all")};
        if (!image.variation.empty()) in.push_back(&group(image.variation));
        const auto attributes = attributes_.values.find(image.file.name);
        if (attributes != attributes_.values.end()) {
          for (const auto& [column, value] : attributes->second) {
            in.push_back(
                &by_attribute[column].try_emplace(value, data_.classes.size()).first->second);
          }
        }
        for (GroupFigures* g : in)
          add(*g, image, classOf(label_of, predicted), right, scored);
        const at::Tensor map = maps[static_cast<int64_t>(n)];
        const metrics::RegionMask* mask = scored.mask ? &*scored.mask : nullptr;
        averages.add(static_cast<std::size_t>(image.class_index), "all", map, mask);
        if (!image.variation.empty()) {
          averages.add(static_cast<std::size_t>(image.class_index), image.variation, map, mask);
        }
        ImageOutcome outcome;
        outcome.index = index[n];
        outcome.image = image.file.name;
        outcome.true_class = data_.classes[image.class_index];
        outcome.predicted = labels[predicted];
        outcome.correct = right;
        if (scored.has_region) outcome.mass_accuracy = scored.lrp.mass_inside;
        outcome.right_for_wrong_reasons = scored.has_region && right && !scored.lrp.macro_pass;
        gallery.add(outcome);
        ImageSummary summary;
        summary.image = outcome.image;
        summary.true_class = outcome.true_class;
        summary.predicted = outcome.predicted;
        summary.correct = right;
        summary.mass_accuracy = outcome.mass_accuracy;
        summary.part_shares = scored.parts.share;
        if (!scored.parts.top.empty()) summary.part_shares["background"] = scored.parts.background;
        summary.summary = metrics::relevanceSummary(map, kSummarySide);
        summaries_.add(spec.name, composite, index[n], std::move(summary));
        writeRow(spec, composite, image, labels[predicted],
                 scores[static_cast<int64_t>(n)][predicted].item<double>(), right,
                 labels[result.targets[n]], scored);
        const fs::path stem = dir_ / heatmapStem(spec.name, composite, image.file.name);
        fs::create_directories(stem.parent_path());
        explain_tool::writeHeatmapAndOverlay(stem.string(), map, batch.geometries[n],
                                             image.file.path,
                                             render::scaleFor(map, render::HeatmapStyle{}), {});
        explained_any_ = true;
      }
    };
    callbacks.skipped = [&](const explain_tool::ImageFile& file) {
      if (std::find(skipped_.begin(), skipped_.end(), file.name) == skipped_.end()) {
        std::cerr << "warning: skipped '" << file.path << "': not a readable image\n";
        skipped_.push_back(file.name);
      }
    };
    const auto started = std::chrono::steady_clock::now();
    callbacks.progress = [&](std::size_t done, std::size_t total) {
      if (o_.quiet) return;
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const double eta = done > 0 ? seconds / done * (total - done) : 0;
      std::cerr << "\r" << spec.name << " / " << composite << ": " << done << "/" << total
                << " images, ETA " << std::fixed << std::setprecision(0) << eta << " s   "
                << std::flush;
    };
    explain_tool::forEachBatch(files_, o_.batch, preprocessor, callbacks);

    json figures{{"all", groups.at("all").toJson(data_.classes)}};
    for (const auto& [name, g] : groups) {
      if (name != "all") figures["variations"][name] = g.toJson(data_.classes);
    }
    for (const auto& [column, values] : by_attribute) {
      for (const auto& [value, g] : values)
        figures["attributes"][column][value] = g.toJson(data_.classes);
    }
    figures["gallery"] = gallery.toJson();
    if (faithfulness) figures["faithfulness"] = faithfulness->toJson();
    if (sanity) {
      figures["sanity"] = sanity->run(loaded, spec.path, composite, model::resolveDevice(o_.device),
                                      o_.init, o_.batch);
    }
    // No summaries when none of the images could be read (the run then exits 1).
    const SummariesByImage* summaries = summaries_.find(spec.name, composite);
    if (o_.strategies && summaries != nullptr) {
      StrategyOptions strategy;
      strategy.spectral.clusters = o_.clusters;
      strategy.spectral.seed = o_.seed;
      strategy.macro_threshold = o_.localization.macro_threshold;
      strategy.attributes = &attributes_.values;
      figures["strategies"] =
          findStrategies(*summaries, spec.name, composite, data_.classes, strategy, dir_,
                         (fs::path("strategies") / spec.name / composite).generic_string());
    }
    figures["class_averages"] =
        averages.write(dir_, (fs::path("class-averages") / spec.name / composite).generic_string());
    return figures;
  }

  // The class folder a label index names (labelIndices() made sure there is one).
  static std::size_t classOf(const std::vector<int64_t>& label_of, int64_t label) {
    return static_cast<std::size_t>(std::find(label_of.begin(), label_of.end(), label) -
                                    label_of.begin());
  }

  struct Scored {
    bool has_region = false;
    std::optional<metrics::RegionMask> mask;  // the right region's, when it has one
    metrics::LocalizationScore lrp, uniform, random;
    metrics::PartShares parts;
  };

  Scored score(const EvalImage& image, const at::Tensor& map,
               const model::PreprocessGeometry& geometry, std::size_t index) {
    Scored s;
    const auto found = regions_.images.find(image.file.name);
    if (found == regions_.images.end()) return s;
    s.parts = metrics::partShares(map, geometry, found->second);
    const std::string& right = right_[static_cast<std::size_t>(image.class_index)];
    const auto region = found->second.find(right);
    if (right.empty() || region == found->second.end()) return s;
    s.has_region = true;
    const metrics::RegionMask& mask = s.mask.emplace(
        metrics::maskRegion(geometry, region->second, o_.localization.pointing_tolerance));
    s.lrp = metrics::scoreLocalization(map, mask, o_.localization);
    s.uniform = metrics::scoreLocalization(at::ones_like(map), mask, o_.localization);
    at::Generator generator = at::detail::createCPUGenerator(mixSeed(o_.seed, index));
    s.random = metrics::scoreLocalization(at::rand(map.sizes(), generator, at::kDouble), mask,
                                          o_.localization);
    return s;
  }

  void add(GroupFigures& g, const EvalImage& image, std::size_t predicted_class, bool right,
           const Scored& s) {
    const auto truth = static_cast<std::size_t>(image.class_index);
    g.confusion.add(truth, predicted_class);
    if (!s.parts.top.empty()) g.parts[truth][right].add(s.parts);
    if (!s.has_region) return;
    g.lrp.add(s.lrp);
    g.uniform.add(s.uniform);
    g.random.add(s.random);
    g.reasons[truth].add(right, s.lrp.macro_pass);
    if (right && !s.lrp.macro_pass) g.right_for_wrong_reasons.push_back(image.file.name);
  }

  void writeRow(const ModelSpec& spec, const std::string& composite, const EvalImage& image,
                const std::string& predicted, double score, bool right, const std::string& target,
                const Scored& s) {
    std::ofstream& per_image = perImage();
    per_image << csvField(spec.name) << "," << composite << "," << csvField(image.file.name) << ","
              << data_.classes[image.class_index] << "," << csvField(image.variation) << ","
              << csvField(predicted) << "," << score << "," << (right ? 1 : 0) << ","
              << csvField(target) << "," << (s.has_region ? 1 : 0) << ",";
    if (s.has_region) {
      per_image << s.lrp.pointing << "," << s.lrp.mass_inside << "," << s.lrp.rank_accuracy << ","
                << s.lrp.top_k << "," << s.lrp.roc_auc << "," << (s.lrp.macro_pass ? 1 : 0) << ","
                << s.lrp.area_fraction;
    } else {
      per_image << ",,,,,,";
    }
    per_image << "," << csvField(s.parts.top) << "\n";
  }

  // Opened, its header written, at the first row (or at the end): a run that fails
  // before its first row has written nothing, and leaves nothing behind.
  std::ofstream& perImage() {
    if (!per_image_.is_open()) {
      per_image_.open(dir_ / "per_image.csv");
      per_image_ << "model,composite,image,class,variation,predicted,score,correct,target,"
                    "has_region,pointing,mass_accuracy,rank_accuracy,top_k,roc_auc,macro_pass,"
                    "region_area,top_part\n";
    }
    return per_image_;
  }

  json compare(const std::map<std::string, std::vector<bool>>& correct) const {
    json pairs = json::array();
    for (auto a = correct.begin(); a != correct.end(); ++a) {
      for (auto b = std::next(a); b != correct.end(); ++b) {
        const metrics::McNemar m = metrics::mcnemar(a->second, b->second);
        pairs.push_back({{"models", {a->first, b->first}},
                         {"only_first_right", m.only_first},
                         {"only_second_right", m.only_second},
                         {"test", m.exact ? "exact binomial" : "chi-square, continuity-corrected"},
                         {"statistic", m.statistic},
                         {"p_value", m.p_value},
                         {"disagreements", disagreements(summaries_, a->first, b->first)}});
      }
    }
    return pairs;
  }

  const EvalOptions& o_;
  fs::path dir_;
  EvalDataset data_;
  metrics::RegionTable regions_;
  std::vector<std::string> right_;
  SceneAttributes attributes_;
  std::vector<explain_tool::ImageFile> files_;  // data_.images' files, for the batch reader
  HeatmapSummaries summaries_;
  std::ofstream per_image_;
  std::vector<std::string> skipped_;
  bool explained_any_ = false;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

ModelSpec parseModelSpec(const std::string& text) {
  const auto eq = text.find('=');
  if (eq != std::string::npos && (eq == 0 || eq + 1 == text.size())) {
    throw ConfigError("--model '" + text + "' is not NAME=PATH", "e.g. --model small=small.pt");
  }
  ModelSpec spec = eq == std::string::npos ? ModelSpec{fs::path(text).stem().string(), text}
                                           : ModelSpec{text.substr(0, eq), text.substr(eq + 1)};
  // The name is a folder of the output (heatmaps/<name>/…): it must stay one folder.
  if (spec.name.empty() || spec.name == "." || spec.name == ".." ||
      spec.name.find_first_of("/\\:") != std::string::npos) {
    throw ConfigError(
        "--model '" + text + "': the name '" + spec.name + "' cannot name a folder of the output",
        "name it with letters, digits, '-' or '_': --model small=" + spec.path);
  }
  return spec;
}

int runEval(const EvalOptions& options) {
  if (options.models.empty()) throw ConfigError("no --model given");
  for (std::size_t i = 0; i < options.models.size(); ++i) {
    for (std::size_t j = i + 1; j < options.models.size(); ++j) {
      if (options.models[i].name == options.models[j].name) {
        throw ConfigError("two models named '" + options.models[i].name + "'",
                          "name them apart: --model a=a.pt --model b=b.pt");
      }
    }
  }
  const fs::path out(options.out);
  if (fs::exists(out) && !options.overwrite) {
    throw ConfigError("'" + options.out + "' exists", "choose a new --out, or pass --overwrite");
  }
  const fs::path partial = options.out + ".partial";
  fs::remove_all(partial);
  fs::create_directories(partial);
  int code = kExitOk;
  try {
    code = EvalRun(options, partial).run();
    writeReport(partial);  // in the folder it describes, renamed with it
  } catch (...) {
    // Never a half report under the final name. A run that fails before writing
    // anything leaves nothing behind; one that fails late (the sanity check after hours
    // of heatmaps) keeps what it wrote.
    if (keepIfAnythingWritten(partial)) {
      std::cerr << "deepbug-eval: what was written before the failure is kept in '"
                << partial.string() << "' (no report; a new run with this --out replaces it)\n";
    }
    throw;
  }
  fs::remove_all(out);
  fs::rename(partial, out);
  return code;
}

}  // namespace deepbug::eval
