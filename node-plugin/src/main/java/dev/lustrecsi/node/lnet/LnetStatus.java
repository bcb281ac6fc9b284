package dev.lustrecsi.node.lnet;

import java.util.List;

/**
 * LNet as the node plugin last found it.
 *
 * @param nids the node's own NIDs whose NI can carry traffic (up, and for o2ib on an ACTIVE RDMA
 *     port), loopback excluded
 * @param ready whether LNet is configured, each of its networks has at least one NI that can carry
 *     traffic, and each such NI's NID answered a ping
 * @param reason why not ready; empty when ready
 * @param o2ibProblem why o2ib0 could not be added although an RDMA port is usable; empty otherwise.
 *     The node is still ready over tcp: this says why it cannot mount over o2ib.
 * @param deadNis the NIs that cannot carry traffic. While every network keeps another NI (a dead
 *     rail of a Multi-Rail o2ib0) the node is ready and runs degraded, on the rails that work.
 */
public record LnetStatus(List<Nid> nids, boolean ready, String reason, String o2ibProblem, List<DeadNi> deadNis) {
  public LnetStatus {
    nids = List.copyOf(nids);
    deadNis = List.copyOf(deadNis);
  }

  public LnetStatus(List<Nid> nids, boolean ready, String reason) {
    this(nids, ready, reason, "", List.of());
  }

  public static LnetStatus notReady(List<Nid> nids, String reason) {
    return new LnetStatus(nids, false, reason);
  }

  /** Not checked yet: the first bring-up is still running. */
  public static final LnetStatus UNKNOWN = notReady(List.of(), "LNet has not been checked yet");

  /** Whether this node has an o2ib NID, so it can mount over RDMA. */
  public boolean hasO2ib() {
    return nids.stream().anyMatch(n -> n.type().equals("o2ib"));
  }

  /** Whether this node has a tcp NID. */
  public boolean hasTcp() {
    return nids.stream().anyMatch(n -> n.type().equals("tcp"));
  }
}
