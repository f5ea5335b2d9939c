// deepbug-train: train and evaluate image classifiers without Python.
//   deepbug-train fit --data DIR --arch NAME --out MODEL.pt [...]
//   deepbug-train evaluate --model MODEL.pt --data DIR
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "core/cli_main.hpp"
#include "evaluate.hpp"
#include "fit.hpp"
#include "model/architectures.hpp"

namespace {

namespace train = deepbug::train;

std::string commandLine(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i)
    line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

int run(int argc, char** argv) {
  CLI::App app{"Train and evaluate image classifiers on ImageFolder datasets."};
  app.require_subcommand(1);

  train::FitOptions fit;
  std::string archs;
  for (const auto& a : deepbug::model::architectures())
    archs += "\n    " + a.name + ": " + a.description;
  CLI::App* fit_cmd = app.add_subcommand("fit", "Train a model; checkpoints every epoch");
  fit_cmd->add_option("--data", fit.data, "ImageFolder dataset: DIR/<class>/<images>")->required();
  fit_cmd->add_option("--arch", fit.arch, "Architecture:" + archs)->capture_default_str();
  fit_cmd->add_option("--out", fit.out, "TorchScript model to write")->required();
  fit_cmd->add_option("--init", fit.init, "Start from this TorchScript model's weights");
  fit_cmd->add_option("--input-size", fit.input_size, "Square training input size")
      ->check(CLI::Range(8, 4096))
      ->capture_default_str();
  CLI::Option* epochs = fit_cmd->add_option("--epochs", fit.epochs, "Epochs")
                            ->check(CLI::Range(1, 100000))
                            ->capture_default_str();
  fit_cmd->add_option("--batch", fit.batch, "Batch size")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  fit_cmd->add_option("--optimizer", fit.optimizer, "sgd (Nesterov momentum 0.9) | adam")
      ->capture_default_str();
  fit_cmd->add_option("--schedule", fit.schedule, "cosine | step | constant (after warm-up)")
      ->capture_default_str();
  fit_cmd->add_option("--lr", fit.lr, "Peak learning rate")->capture_default_str();
  fit_cmd->add_option("--weight-decay", fit.weight_decay)->capture_default_str();
  fit_cmd->add_option("--val-fraction", fit.val_fraction, "Share of images held out for validation")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  fit_cmd->add_option("--seed", fit.seed, "Seed for initialisation, order and augmentation")
      ->capture_default_str();
  fit_cmd->add_option("--threads", fit.threads, "Intra-op threads, 0 = all cores");
  fit_cmd->add_flag("--resume", fit.resume, "Continue from OUT.checkpoint if it exists");
  fit_cmd->add_option("--max-minutes", fit.max_minutes, "Stop with a checkpoint after this long");
  fit_cmd
      ->add_option("--checkpoint-minutes", fit.checkpoint_minutes,
                   "Also checkpoint within epochs this often")
      ->capture_default_str();
  fit_cmd->add_option("--report", fit.report, "Training report (default OUT.report.json)");
  fit_cmd->add_option("--crop-size", fit.crop_size,
                      "Train on square windows of this size of the input (0 = whole images)");
  fit_cmd->add_option("--crop-boxes", fit.crop_boxes,
                      "CSV image,region,x,y,w,h (paths relative to --data): windows hold the box; "
                      "whole images are cropped around it");
  fit_cmd->add_option("--crop-region", fit.crop_region, "Region of --crop-boxes to keep in view")
      ->capture_default_str();
  bool no_augment = false;
  fit_cmd->add_flag("--no-augment", no_augment, "Disable flip, crop and colour jitter");
  bool no_flip = false;
  fit_cmd->add_flag("--no-flip", no_flip,
                    "Keep the other augmentations but never mirror (digits, text, overlays)");
  fit_cmd
      ->add_option("--train", fit.train,
                   "all | head: with --init, retrain only the head on whole-image features "
                   "(recalibrates a model trained on --crop-size windows)")
      ->capture_default_str();
  fit_cmd
      ->add_option("--explain-every", fit.explain.every,
                   "Explain the current weights with LRP every N epochs and at the end "
                   "(0 = off): heatmaps of the best and worst images, and with --boxes the "
                   "pointing game and mass accuracy of a fixed probe set, in OUT.explain/")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  fit_cmd->add_option("--explain-set", fit.explain.set,
                      "ImageFolder to explain (default: the validation split)");
  fit_cmd->add_option("--boxes", fit.explain.boxes,
                      "Regions CSV image,region,x,y,w,h (paths relative to the explain set)");
  fit_cmd->add_option("--explain-region", fit.explain.rules,
                      "The right region: REGION for every class, or CLASS=REGION (repeat)");
  fit_cmd
      ->add_option("--probe-images", fit.explain.probe_images,
                   "Images scored for the pointing game and mass accuracy every time")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  fit_cmd->add_option("--probe-target", fit.explain.probe_target,
                      "Explain this class on every probe image, scored on its --explain-region "
                      "(default: each image's own class): where the model finds it in the others");
  fit_cmd->add_option("--explain-composite", fit.explain.composite, "LRP composite")
      ->capture_default_str();

  train::EvaluateOptions eval;
  CLI::App* eval_cmd = app.add_subcommand("evaluate", "Accuracy and confusion matrix as JSON");
  eval_cmd->add_option("--model", eval.model, "TorchScript model")->required();
  eval_cmd->add_option("--data", eval.data, "ImageFolder dataset, folders named after labels")
      ->required();
  eval_cmd->add_option("--device", eval.device, "auto | cpu | cuda | cuda:N")
      ->capture_default_str();
  eval_cmd->add_option("--batch", eval.batch)->check(CLI::Range(1, 4096))->capture_default_str();
  eval_cmd->add_option("--threads", eval.threads, "Intra-op threads, 0 = all cores");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? deepbug::kExitOk : deepbug::kExitBadInput;
  }

  if (eval_cmd->parsed()) {
    std::cout << train::evaluate(eval).dump(2) << std::endl;
    return deepbug::kExitOk;
  }
  fit.augment.enabled = !no_augment;
  fit.augment.flip = !no_flip;
  fit.epochs_overridden = epochs->count() > 0;
  fit.command_line = commandLine(argc, argv);
  std::signal(SIGINT, [](int) { train::requestStop(); });
  std::signal(SIGTERM, [](int) { train::requestStop(); });
  const auto report = train::fit(fit);
  if (report["stopped"].get<bool>()) return deepbug::kExitInterrupted;
  std::cout << report["final_validation"].dump() << std::endl;
  return deepbug::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return deepbug::guardedMain("deepbug-train", argv, [&] { return run(argc, argv); });
}
