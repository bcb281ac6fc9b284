package dev.lustrecsi.sanity.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.sanity.CsiTarget;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded, seeded fuzz run of every RPC the driver serves: the hand-picked requests of issue
 * 16, then random ones built from valid requests on real volumes with one or more fields made
 * hostile (control characters, sizes over the CSI limits, paths that escape or cross into
 * another volume, ids of other volumes, bad parameters and capabilities). See {@link Judge} for
 * what fails the run. System properties:
 * <ul>
 *   <li>{@value #REQUESTS}: how many random requests (default {@value #DEFAULT_REQUESTS}, a few seconds);</li>
 *   <li>{@value #SEED}: the seed, printed by every run, to replay one;</li>
 *   <li>{@value #DEADLINE}: seconds a call may take before it counts as a hang (default 10).</li>
 * </ul>
 */
class FuzzConformanceTest {
  static final String REQUESTS = "sanity.fuzz.requests";
  static final String SEED = "sanity.fuzz.seed";
  static final String DEADLINE = "sanity.fuzz.deadlineSeconds";
  static final int DEFAULT_REQUESTS = 1000;
  /** Findings shown at most: the first ones say what is wrong. */
  private static final int SHOWN = 40;

  // Every call has its own deadline, which is how a hang fails the run; this bounds a long run only.
  @Test
  @Timeout(value = 3, unit = TimeUnit.HOURS)
  void everyServedRpcTakesHostileRequestsWithoutFaultLeakOrHang() {
    long seed = Long.getLong(SEED, new SecureRandom().nextLong());
    int requests = Integer.getInteger(REQUESTS, DEFAULT_REQUESTS);
    Duration deadline = Duration.ofSeconds(Long.getLong(DEADLINE, 10));
    System.out.println("fuzz: seed " + seed + ", " + requests + " random requests; replay with -D" + SEED + "=" + seed);
    List<String> findings = new ArrayList<>();
    Tally tally = new Tally();
    long started = System.nanoTime();
    Path sandboxArea;
    List<Path> mustBeUnmounted = new ArrayList<>();
    try (LogCapture logs = new LogCapture(); CsiTarget target = CsiTarget.fromSystemProperties()) {
      // The sandbox owns its whole directory (its Lustre mounts lie beside the kubelet directory); elsewhere only the mount root is known.
      sandboxArea = target.isSandbox() ? target.mountRoot().getParent() : null;
      HostileText text = new HostileText(new Random(seed));
      Stubs stubs = new Stubs(target, deadline);
      FuzzWorld world = new FuzzWorld(target);
      mustBeUnmounted.add(world.dir);
      mustBeUnmounted.add(world.canary);
      Judge judge = new Judge(world, logs, sandboxArea);
      HostileValues values = new HostileValues(text, world);
      List<IntFunction<FuzzCase>> rpcs = rpcs(new ControllerCases(world, text, values, stubs), new NodeCases(world, text, values, stubs),
          new IdentityCases(text, stubs), new SnapshotCases(world, text, values, stubs), new GroupSnapshotCases(world, text, values, stubs));
      try {
        int index = 0;
        for (FuzzCase fuzzCase : HandPicked.cases(world, stubs)) {
          run(judge, world, fuzzCase, "hand-picked " + ++index, tally, findings);
        }
        for (int i = 1; i <= requests && findings.size() < SHOWN; i++) {
          // Mostly one hostile field, for a precise expectation; some requests as they are, some with several.
          int changes = text.chance(15) ? 0 : text.chance(82) ? 1 : 2 + text.random().nextInt(2);
          run(judge, world, rpcs.get(text.random().nextInt(rpcs.size())).apply(changes), "request " + i, tally, findings);
        }
      } finally {
        world.close();
      }
      List<Path> left = world.leftMounted();
      if (!left.isEmpty()) {
        findings.add("still mounted after the run unpublished and unstaged all it made: " + left);
      }
    }
    if (sandboxArea != null) {
      mustBeUnmounted.add(sandboxArea);
    }
    List<Path> leftAfterStop = MountPoints.read().keySet().stream().filter(p -> mustBeUnmounted.stream().anyMatch(p::startsWith)).toList();
    if (!leftAfterStop.isEmpty()) {
      findings.add("still mounted after the driver stopped: " + leftAfterStop);
    }
    System.out.printf("fuzz: %d requests in %.1f s, seed %d%n%s", tally.total(), (System.nanoTime() - started) / 1e9, seed, tally.table());
    assertThat(findings).as("fuzz findings (replay with -D%s=%d -D%s=%d)", SEED, seed, REQUESTS, requests)
        .isEmpty();
  }

  private static void run(Judge judge, FuzzWorld world, FuzzCase fuzzCase, String which, Tally tally, List<String> findings) {
    Judge.Verdict verdict = judge.judge(fuzzCase);
    tally.count(fuzzCase.rpc(), verdict.code());
    for (String finding : verdict.findings()) {
      String named = fuzzCase.volumeId() == null ? "" : " naming " + CallerText.quote(fuzzCase.volumeId());
      findings.add(which + " " + fuzzCase.rpc() + named + " (" + fuzzCase.description() + "): " + finding);
    }
    world.restore();
  }

  /** Every served RPC, the ones with fields weighted up: they are where hostile values can go. */
  private static List<IntFunction<FuzzCase>> rpcs(ControllerCases controller, NodeCases node, IdentityCases identity,
      SnapshotCases snapshots, GroupSnapshotCases groups) {
    List<IntFunction<FuzzCase>> rpcs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rpcs.add(controller::create);
      rpcs.add(node::stage);
      rpcs.add(node::unstage);
      rpcs.add(node::publish);
      rpcs.add(node::unpublish);
      rpcs.add(node::stats);
    }
    for (int i = 0; i < 2; i++) {
      rpcs.add(controller::delete);
      rpcs.add(controller::validate);
      rpcs.add(controller::list);
      rpcs.add(controller::capacity);
      rpcs.add(controller::expand);
      rpcs.add(controller::get);
      rpcs.add(identity::next);
    }
    rpcs.add(snapshots::create);
    rpcs.add(snapshots::delete);
    rpcs.add(snapshots::list);
    rpcs.add(snapshots::get);
    rpcs.add(groups::create);
    rpcs.add(groups::get);
    rpcs.add(groups::delete);
    // The same request twice at once, where two calls could race on one name, path or object.
    List<IntFunction<FuzzCase>> racing = List.of(controller::create, controller::delete, node::stage, node::unstage, node::publish,
        node::unpublish, snapshots::create, snapshots::delete, groups::create, groups::delete);
    for (IntFunction<FuzzCase> once : racing) {
      rpcs.add(changes -> Twice.of(once.apply(changes)));
    }
    return rpcs;
  }
}
