package dev.lustrecsi.sanity.fuzz;

import io.grpc.Status;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/** Answers counted by RPC and code, for the run's summary (and docs/conformance.md). */
final class Tally {
  private final Map<String, Map<Status.Code, Integer>> counts = new TreeMap<>();
  private int total;

  void count(String rpc, Status.Code code) {
    counts.computeIfAbsent(rpc, k -> new EnumMap<>(Status.Code.class)).merge(code, 1, Integer::sum);
    total++;
  }

  int total() {
    return total;
  }

  /** A Markdown table: one row per RPC, its requests and its answers by code. */
  String table() {
    StringBuilder out = new StringBuilder("| RPC | requests | answers |\n| --- | ---: | --- |\n");
    counts.forEach((rpc, codes) -> {
      int sum = codes.values().stream().mapToInt(Integer::intValue).sum();
      StringBuilder answers = new StringBuilder();
      codes.forEach((code, n) -> answers.append(answers.isEmpty() ? "" : ", ").append(code).append(' ').append(n));
      out.append("| ").append(rpc).append(" | ").append(sum).append(" | ").append(answers).append(" |\n");
    });
    return out.toString();
  }
}
