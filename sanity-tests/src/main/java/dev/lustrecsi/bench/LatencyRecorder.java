package dev.lustrecsi.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/** Latencies per RPC and error counts per status code, safe to record from many threads. */
final class LatencyRecorder {
  private final ConcurrentMap<String, List<Long>> latencies = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, AtomicLong> errors = new ConcurrentHashMap<>();

  LatencyRecorder() {
    // Scripts read errors.ABORTED; it is there even when zero.
    errors.put("ABORTED", new AtomicLong());
  }

  void record(String rpc, long nanos) {
    List<Long> list = latencies.computeIfAbsent(rpc, k -> new ArrayList<>());
    synchronized (list) {
      list.add(nanos);
    }
  }

  void error(String code) {
    errors.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
  }

  long errorCount() {
    return errors.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Percentiles per RPC, by name. */
  Map<String, Percentiles> percentiles() {
    Map<String, Percentiles> out = new TreeMap<>();
    latencies.forEach((rpc, list) -> {
      long[] sorted;
      synchronized (list) {
        sorted = list.stream().mapToLong(Long::longValue).toArray();
      }
      Arrays.sort(sorted);
      out.put(rpc, Percentiles.of(sorted));
    });
    return out;
  }

  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((code, count) -> out.put(code, count.get()));
    return out;
  }

  /** Nearest-rank percentiles in milliseconds. */
  record Percentiles(long count, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
    static Percentiles of(long[] sortedNanos) {
      return new Percentiles(sortedNanos.length, rank(sortedNanos, 50), rank(sortedNanos, 90), rank(sortedNanos, 99),
          sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1] / 1e6);
    }

    private static double rank(long[] sorted, int percentile) {
      if (sorted.length == 0) {
        return 0;
      }
      int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, index)] / 1e6;
    }
  }
}
