package dev.lustrecsi.node.rdma;

import java.util.List;
import java.util.Optional;

/**
 * What this node offers LNet: its RDMA ports (usable or not, so problems can be reported) and
 * its interfaces for tcp.
 *
 * @param rdmaPorts every RDMA port found
 * @param ethernet interfaces for tcp, in the order LNet prefers them: the one the administrator
 *     named, or those that are up, have an IPv4 address and are of a kind LNet may choose
 * @param tcpProblem why the interface the administrator named cannot carry tcp, if it cannot
 */
public record NodeNetworks(List<RdmaPort> rdmaPorts, List<EthernetInterface> ethernet, Optional<String> tcpProblem) {
  public NodeNetworks {
    rdmaPorts = List.copyOf(rdmaPorts);
    ethernet = List.copyOf(ethernet);
  }

  public NodeNetworks(List<RdmaPort> rdmaPorts, List<EthernetInterface> ethernet) {
    this(rdmaPorts, ethernet, Optional.empty());
  }

  /** Whether o2ib can work here: at least one usable RDMA port. */
  public boolean hasRdma() {
    return rdmaPorts.stream().anyMatch(RdmaPort::usableForO2ib);
  }

  /**
   * Whether the answer to {@link #hasRdma()} may soon turn true: no port is usable yet, but one is
   * coming up. A port that is down (no cable) is not: nothing is on its way there.
   */
  public boolean rdmaComingUp() {
    return !hasRdma() && rdmaPorts.stream().anyMatch(p -> p.state() == RdmaPort.State.COMING_UP);
  }

  /** The netdevs of usable RDMA ports, each once, for {@code lnetctl net add --net o2ib0 --if}. */
  public List<String> o2ibInterfaces() {
    return rdmaPorts.stream().filter(RdmaPort::usableForO2ib).map(p -> p.netdev().orElseThrow()).distinct().toList();
  }

  /** Interfaces for tcp0: the Ethernet ones that are not also carrying RDMA (RoCE netdevs are left to o2ib). */
  public List<String> tcpInterfaces() {
    List<String> rdma = o2ibInterfaces();
    List<String> plain = ethernet.stream().map(EthernetInterface::name).filter(n -> !rdma.contains(n)).toList();
    // A node whose only Ethernet is a RoCE port still needs tcp for filesystems without o2ib NIDs.
    return plain.isEmpty() ? ethernet.stream().map(EthernetInterface::name).toList() : plain;
  }

  /** Human-readable summary for the log line at start. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    text.append("RDMA: ");
    if (rdmaPorts.isEmpty()) {
      text.append("none");
    } else {
      text.append(String.join(", ", rdmaPorts.stream().map(p -> p.problem().orElse(p.device() + " port " + p.port()
          + " " + p.linkLayer().name().toLowerCase(java.util.Locale.ROOT) + " via " + p.netdev().orElseThrow() + " " + p.ipv4().orElseThrow())).toList()));
    }
    text.append("; tcp: ").append(ethernet.isEmpty() ? "none" : String.join(", ", ethernet.stream().map(e -> e.name() + " " + e.ipv4()).toList()));
    tcpProblem.ifPresent(problem -> text.append(" (").append(problem).append(')'));
    return text.toString();
  }
}
