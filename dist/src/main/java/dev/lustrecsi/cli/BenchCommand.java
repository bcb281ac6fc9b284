package dev.lustrecsi.cli;

import dev.lustrecsi.bench.Bench;
import dev.lustrecsi.bench.BenchOptions;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.log.Logging;
import dev.lustrecsi.common.volume.Sizes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The load generator. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Drives a CSI driver with concurrent clients and prints one JSON report.",
        "Works against any driver: it uses only what CreateVolume returns."})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--controller-endpoint", required = true, description = "Controller plugin endpoint, unix:///path")
  String controller;

  @Option(names = "--node-endpoint", description = "Node plugin endpoint, needed by stage-publish")
  String node;

  @Option(names = "--workload", required = true, description = "create-delete or stage-publish")
  String workload;

  @Option(names = "--concurrency", defaultValue = "1", description = "Concurrent clients (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--count", defaultValue = "100", description = "Operations in all (default: ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--warmup", defaultValue = "0",
      description = "Operations run first and left out of the report (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--param", description = "CreateVolume parameter k=v; repeat for several")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--capacity", defaultValue = "1Gi", description = "Size of each volume (default: ${DEFAULT-VALUE})")
  String capacity;

  @Option(names = "--mount-root", description = "Directory for staging and target paths (stage-publish)")
  Path mountRoot;

  @Override
  public Integer call() throws Exception {
    Logging.configure(false);
    BenchOptions options = new BenchOptions(Endpoint.parse(controller), Optional.ofNullable(node).map(Endpoint::parse),
        BenchOptions.Workload.parse(workload), concurrency, count, warmup, params, Sizes.parse(capacity), Optional.ofNullable(mountRoot));
    System.out.println(new Bench(options).run());
    return 0;
  }
}
