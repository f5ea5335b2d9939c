// Small pieces the HTML report is written with: escaping, numbers, safe relative image
// paths, ids. Pure functions of their arguments.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace deepbug::eval::report {

// Text or attribute value made inert: & < > " ' become entities.
std::string escapeHtml(std::string_view text);

// A number with `decimals` places; "–" for null, a missing value or a non-number.
std::string formatNumber(const nlohmann::json& value, int decimals = 3);
std::string formatNumber(double value, int decimals = 3);

// Whether `path` names a file inside the report's folder: relative, no "..", no scheme,
// no backslash, not empty.
bool isInsideFolder(std::string_view path);

// `path` as an <img src>/<a href> value: each byte outside [A-Za-z0-9-._~/] percent-
// encoded (a '#', '?', '%', space or quote in an image name stays part of the path).
std::string urlPath(std::string_view path);

// An id for an anchor: letters, digits and '-' only; other bytes as "_XX" in hex.
std::string anchorId(std::string_view text);

// The value at `key` of an object, or nullptr when `object` is no object or lacks it.
const nlohmann::json* member(const nlohmann::json& object, std::string_view key);

// The value at `key`, or a null value.
const nlohmann::json& at(const nlohmann::json& object, std::string_view key);

// An <img> of a path inside the folder (urlPath). Loaded at once, not lazily: the files
// are local and few (galleries are capped), and a printout or screenshot shows them all.
std::string imageTag(const std::string& path, const std::string& alt);

// A table in a box that scrolls sideways on a narrow screen (the page itself does not).
std::string scroll(const std::string& table);

// The stylesheet every page of ours starts with (system fonts, one readable column,
// light rules, nothing fetched); each page adds its own rules after it.
const char* baseStyle();

// The string at `key`, or `fallback`.
std::string stringAt(const nlohmann::json& object, std::string_view key,
                     const std::string& fallback = "");

}  // namespace deepbug::eval::report
