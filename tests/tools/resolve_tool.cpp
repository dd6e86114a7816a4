// resolve_tool: the Resolver on the command line, for the integration tests.
//
//   resolve_tool --server 127.0.0.1:PORT [--server ...] [--timeout-ms N] [--tries N]
//                [--max-records N] TYPE NAME [NAME ...]
//
// TYPE is mx, a, aaaa, ptr (NAME is an IP address), txt or tlsa; mx-dnssec and tlsa-dnssec ask
// with DO and AD set and add "dnssec": "secure"|"insecure"|"bogus"|"unknown". All NAMEs are looked up
// concurrently on one Resolver; one JSON object per NAME is printed per line, in argument order:
//   {"name": ..., "type": ..., "status": "ok"|"nxdomain"|..., "records": [...], "detail": ...,
//    "truncated": bool, "elapsed_ms": N}
// At least one --server is required: this tool never asks the system resolver.
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/dns/resolver.hpp"

using namespace smtpdoctor;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

json to_json(const MxRecord& r) {
  return {{"preference", r.preference}, {"exchange", r.exchange}};
}
json to_json(const AddressRecord& r) {
  return {{"address", r.address}, {"ttl", r.ttl}};
}
json to_json(const PtrRecord& r) {
  return r.name;
}
json to_json(const TxtRecord& r) {
  return r.text;
}
json to_json(const TlsaRecord& r) {
  return {{"usage", r.usage},
          {"selector", r.selector},
          {"matching_type", r.matching_type},
          {"data", r.data_hex}};
}

template <typename T>
json to_json(const DnsAnswer<T>& answer) {
  json records = json::array();
  for (auto& record : answer.records) records.push_back(to_json(record));
  return {{"status", dns_status_name(answer.status)},
          {"records", records},
          {"detail", answer.detail},
          {"truncated", answer.truncated},
          {"dnssec", dnssec_state_name(answer.dnssec)}};
}

asio::awaitable<json> lookup(Resolver& resolver, std::string type, std::string name) {
  auto started = Clock::now();
  json result;
  if (type == "mx")
    result = to_json(co_await resolver.mx(name));
  else if (type == "a")
    result = to_json(co_await resolver.a(name));
  else if (type == "aaaa")
    result = to_json(co_await resolver.aaaa(name));
  else if (type == "ptr")
    result = to_json(co_await resolver.ptr(name));
  else if (type == "txt")
    result = to_json(co_await resolver.txt(name));
  else if (type == "tlsa")
    result = to_json(co_await resolver.tlsa(name));
  else if (type == "mx-dnssec")
    result = to_json(co_await resolver.mx_dnssec(name));
  else if (type == "tlsa-dnssec")
    result = to_json(co_await resolver.tlsa_dnssec(name));
  result["name"] = name;
  result["type"] = type;
  result["elapsed_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  co_return result;
}

int usage(const std::string& why) {
  std::cerr << "resolve_tool: " << why
            << "\nusage: resolve_tool --server IP[:PORT] [--timeout-ms N] [--tries N] "
               "[--max-records N] mx|a|aaaa|ptr|txt|tlsa|mx-dnssec|tlsa-dnssec NAME...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ResolverOptions options;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    try {
      if (arg == "--server") {
        auto server = parse_dns_server(value());
        if (!server) return usage(server.error().message);
        options.servers.push_back(*server);
      } else if (arg == "--timeout-ms") {
        options.timeout = std::chrono::milliseconds(std::stol(value()));
      } else if (arg == "--tries") {
        options.tries = std::stoi(value());
      } else if (arg == "--max-records") {
        options.max_records = std::stoul(value());
      } else {
        positional.push_back(arg);
      }
    } catch (const std::exception&) {
      return usage("bad number after " + arg);
    }
  }
  if (options.servers.empty()) return usage("at least one --server is required");
  if (positional.size() < 2) return usage("need TYPE and NAME");
  std::string type = positional[0];
  if (type != "mx" && type != "a" && type != "aaaa" && type != "ptr" && type != "txt" &&
      type != "tlsa" && type != "mx-dnssec" && type != "tlsa-dnssec")
    return usage("unknown type '" + type + "'");

  asio::io_context context;
  auto resolver = Resolver::create(context.get_executor(), options);
  if (!resolver) {
    std::cerr << "resolve_tool: " << resolver.error().message << "\n";
    return 3;
  }
  std::vector<json> results(positional.size() - 1);
  for (std::size_t i = 1; i < positional.size(); ++i) {
    asio::co_spawn(
        context,
        [&, i]() -> asio::awaitable<void> {
          results[i - 1] = co_await lookup(*resolver, type, positional[i]);
        },
        asio::detached);
  }
  // run() returns only when every lookup has finished and c-ares holds no socket or timer:
  // the resolver is not destroyed first, so this also shows nothing is left running.
  context.run();
  for (auto& result : results)
    std::cout << result.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}
