#include "eval_report_html.hpp"

#include <cmath>
#include <cstdio>

namespace deepbug::eval::report {

using nlohmann::json;

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string formatNumber(double value, int decimals) {
  if (!std::isfinite(value)) return "–";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string formatNumber(const json& value, int decimals) {
  if (!value.is_number()) return "–";
  return formatNumber(value.get<double>(), decimals);
}

bool isInsideFolder(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  if (path.find('\\') != std::string_view::npos) return false;
  if (path.find(':') != std::string_view::npos) return false;  // a scheme or a drive
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (path.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string urlPath(std::string_view path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

std::string anchorId(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-') {
      out += c;
    } else {
      out += '_';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& at(const json& object, std::string_view key) {
  static const json null_value;
  const json* value = member(object, key);
  return value != nullptr ? *value : null_value;
}

std::string imageTag(const std::string& path, const std::string& alt) {
  return "<img src=\"" + escapeHtml(urlPath(path)) + "\" alt=\"" + escapeHtml(alt) + "\">";
}

std::string scroll(const std::string& table) {
  return "<div class=\"scroll\">" + table + "</div>";
}

std::string stringAt(const json& object, std::string_view key, const std::string& fallback) {
  const json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : fallback;
}

const char* baseStyle() {
  return R"css(
:root{--fg:#1d232a;--muted:#5b6570;--rule:#e3e6ea;--soft:#f5f6f8;--accent:#2f6fb0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#fff;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 16px 64px}
h1{font-size:1.7rem;margin:0 0 4px;letter-spacing:-.01em}
h2{font-size:1.3rem;margin:44px 0 8px;padding-top:12px;border-top:2px solid var(--rule)}
a{color:var(--accent)}
.lead{color:var(--muted);margin:0 0 16px;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0;font-size:.9rem}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
nav.toc{font-size:.9rem;margin:12px 0}nav.toc a{margin-right:12px;display:inline-block}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:8px 0;max-width:100%}
table{border-collapse:collapse;font-size:.88rem;font-variant-numeric:tabular-nums}
th,td{padding:5px 10px;border-bottom:1px solid var(--rule);text-align:right;vertical-align:top;white-space:nowrap}
figure{margin:0}
svg{display:block;max-width:100%;height:auto}
svg text{font-family:inherit}
img{display:block;max-width:100%;height:auto}
.legend{margin:0 0 4px;font-size:.8rem;color:var(--muted)}
.shot{background:var(--soft);border-radius:6px;padding:6px;min-width:0}
.shot figcaption{color:var(--fg)}
.notes{font-size:.85rem;color:var(--muted)}
)css";
}

}  // namespace deepbug::eval::report
