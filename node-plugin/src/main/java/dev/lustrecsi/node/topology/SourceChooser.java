package dev.lustrecsi.node.topology;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.node.lnet.LnetStatus;
import dev.lustrecsi.node.mount.LustreSource;
import java.util.List;

/**
 * Picks the network a filesystem is mounted over on this node, and so its mount source. The
 * client only reaches MGS NIDs on networks it has configured, and the mount source is fixed for
 * the life of the one mount per filesystem: o2ib when asked for (and refused with a reason where
 * it cannot work), o2ib under auto only when both this node and the filesystem have it, tcp
 * otherwise.
 */
public final class SourceChooser {
  private final NodeNetworking networking;

  public SourceChooser(NodeNetworking networking) {
    this.networking = networking;
  }

  public LustreSource choose(String volumeId, StageContext context) {
    boolean nodeO2ib = nodeCanUseO2ib();
    return switch (context.lnet()) {
      case O2IB -> {
        if (!nodeO2ib) {
          throw CsiException.failedPrecondition("volume " + volumeId + " needs RDMA (lnet: o2ib) but this node cannot use o2ib: " + whyNoO2ib());
        }
        if (context.o2ibNodes().isEmpty()) {
          throw CsiException.invalidArgument("volume_context." + VolumeContext.MGS_NIDS_O2IB, "is required when lnet is o2ib");
        }
        yield new LustreSource(context.fsName(), context.o2ibNodes());
      }
      case TCP -> {
        if (context.tcpNodes().isEmpty()) {
          throw CsiException.invalidArgument("volume_context." + VolumeContext.MGS_NIDS, "is required when lnet is tcp");
        }
        yield new LustreSource(context.fsName(), context.tcpNodes());
      }
      case AUTO -> {
        if (nodeO2ib && !context.o2ibNodes().isEmpty()) {
          yield new LustreSource(context.fsName(), context.o2ibNodes());
        }
        if (context.tcpNodes().isEmpty() && !context.o2ibNodes().isEmpty()) {
          throw CsiException.failedPrecondition("filesystem " + context.fsName() + " offers only o2ib NIDs and this node cannot use o2ib: " + whyNoO2ib());
        }
        yield new LustreSource(context.fsName(), context.tcpNodes());
      }
    };
  }

  /** An active RDMA port, and LNet (once checked) with an o2ib NID on it. */
  private boolean nodeCanUseO2ib() {
    LnetStatus lnet = networking.lnet();
    return networking.rdma() && (lnet == LnetStatus.UNKNOWN || lnet.nids().isEmpty() || lnet.hasO2ib());
  }

  private String whyNoO2ib() {
    if (!networking.rdma()) {
      List<String> problems = networking.networks().rdmaPorts().stream().flatMap(p -> p.problem().stream()).toList();
      return problems.isEmpty() ? "it has no RDMA device" : "no usable RDMA port (" + String.join("; ", problems) + ")";
    }
    LnetStatus lnet = networking.lnet();
    return "LNet has no o2ib network (NIDs: " + lnet.nids() + ")" + (lnet.o2ibProblem().isEmpty() ? "" : ": " + lnet.o2ibProblem());
  }
}
