// deepbug-eval: the debugging framework's evaluation — models run over an ImageFolder,
// their heatmaps scored against labelled regions, everything added up overall, per
// variation and per class, and the models compared (eval_run.hpp).
#include <CLI/CLI.hpp>
#include <iostream>

#include "core/cli_main.hpp"
#include "eval_run.hpp"

int main(int argc, char** argv) {
  return deepbug::guardedMain("deepbug-eval", argv, [&]() -> int {
    deepbug::eval::EvalOptions o;
    std::vector<std::string> models;
    std::string coco;
    CLI::App app{
        "deepbug-eval: score LRP heatmaps against labelled regions and compare models on an "
        "ImageFolder"};
    app.add_option("--model", models, "NAME=MODEL.pt (repeat to compare models)")->required();
    app.add_option("--data", o.data, "ImageFolder ROOT/<class>/[<variation>/]<image>")->required();
    auto* boxes = app.add_option("--boxes", o.regions, "regions CSV: image,region,x,y,w,h");
    app.add_option("--coco", coco, "regions as COCO JSON (categories are region names)")
        ->excludes(boxes);
    app.add_option("--region", o.region_rules,
                   "the right place for a class: CLASS=REGION, or REGION for every class");
    app.add_option("--attributes", o.attributes,
                   "a table image,ATTR,… (e.g. deepbug-synth's scenes.csv): figures per value");
    app.add_option("--group-by", o.group_by,
                   "an --attributes column to group by (repeat); default: every column but "
                   "class with at most 12 values");
    app.add_flag("--align", o.align,
                 "class-average heatmaps also resampled into each image's right region");
    app.add_option("--clusters", o.clusters,
                   "strategies per class (spectral relevance analysis); 0: by the eigengap")
        ->check(CLI::Range(0, 64))
        ->capture_default_str();
    bool no_strategies = false;
    app.add_flag("--no-strategies", no_strategies, "skip the spectral relevance analysis")
        ->excludes("--clusters");
    app.add_flag("--faithfulness", o.faithfulness,
                 "region perturbation (MoRF, LeRF, random order; AOPC, ABPC) of each method");
    app.add_option("--faithfulness-images", o.faithfulness_options.images,
                   "images perturbed, evenly spaced; 0: all")
        ->capture_default_str();
    app.add_flag("--sanity", o.sanity,
                 "model randomisation sanity check: layers re-initialised from the top, each "
                 "method's maps compared with the trained model's (Spearman, SSIM)");
    app.add_option("--sanity-images", o.sanity_options.images,
                   "images explained per randomised model, evenly spaced; 0: all")
        ->capture_default_str();
    app.add_option("--out", o.out, "output folder")->required();
    app.add_option("--composite", o.composites,
                   "LRP composite, or a gradient baseline: gradient, gradient-x-input, "
                   "integrated-gradients (repeat for several)")
        ->capture_default_str();
    app.add_option("--target", o.target, "the class explained: true, predicted or a label")
        ->capture_default_str();
    app.add_option("--init", o.init, "initial relevance: logit, one or contrastive")
        ->capture_default_str();
    app.add_option("--limit", o.limit, "images per class, the first in sorted order; 0: all")
        ->check(CLI::Range(0, 100000000))
        ->capture_default_str();
    app.add_option("--batch", o.batch, "images per LRP batch")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    app.add_option("--device", o.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    app.add_option("--pointing-tolerance", o.localization.pointing_tolerance,
                   "pointing game: a hit within this many frame pixels of the region")
        ->check(CLI::Range(0.0, 10000.0))
        ->capture_default_str();
    app.add_option("--top-k", o.localization.top_k, "top-k intersection: k pixels")
        ->check(CLI::Range(1, 100000000))
        ->capture_default_str();
    app.add_option("--macro-threshold", o.localization.macro_threshold,
                   "an explanation passes when this share of its positive relevance is on the "
                   "region")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    app.add_option("--seed", o.seed, "seed of the random maps (the floor)")->capture_default_str();
    app.add_flag("--overwrite", o.overwrite, "replace an existing --out folder");
    app.add_flag("--quiet", o.quiet, "no progress line");
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      return app.exit(error) == 0 ? deepbug::kExitOk : deepbug::kExitBadInput;
    }
    if (!coco.empty()) o.regions = coco;
    o.strategies = !no_strategies;
    o.sanity_options.seed = o.seed;
    for (const std::string& model : models)
      o.models.push_back(deepbug::eval::parseModelSpec(model));
    return deepbug::eval::runEval(o);
  });
}
