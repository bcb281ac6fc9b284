package dev.lustrecsi.node.rdma;

import java.util.Optional;

/**
 * One port of an RDMA device as sysfs describes it.
 *
 * @param device the RDMA device (mlx5_0)
 * @param port the port number (1-based, as in sysfs)
 * @param linkLayer InfiniBand (IPoIB netdev) or Ethernet (RoCE)
 * @param state whether it is ACTIVE, on its way there, or down
 * @param netdev the network interface behind the port, if sysfs names one
 * @param ipv4 that interface's IPv4 address, if it has one
 */
public record RdmaPort(String device, int port, LinkLayer linkLayer, State state, Optional<String> netdev, Optional<String> ipv4) {
  /** The two link layers an RDMA port can have. */
  public enum LinkLayer {
    INFINIBAND,
    ETHERNET,
    UNKNOWN;

    static LinkLayer parse(String text) {
      return switch (text.strip()) {
        case "InfiniBand" -> INFINIBAND;
        case "Ethernet" -> ETHERNET;
        default -> UNKNOWN;
      };
    }
  }

  /**
   * Where a port stands, from its {@code state} (logical: "1: DOWN", "2: INIT", "3: ARMED", "4:
   * ACTIVE") and {@code phys_state} (physical: "2: Polling" with no cable or no peer, "3:
   * Disabled", "4: PortConfigurationTraining", "5: LinkUp", "6: LinkErrorRecovery").
   */
  public enum State {
    /** Carries traffic. */
    ACTIVE,
    /**
     * Not ACTIVE yet but on its way: its link is up and it waits for the subnet manager (INIT,
     * ARMED, or ACTIVE_DEFER on its way back to ACTIVE), or its link is still training. After a reboot an
     * InfiniBand port spends seconds to a minute here, longer with a slow subnet manager; one
     * without any subnet manager on its fabric stays in INIT.
     */
    COMING_UP,
    /** No link and none coming: no cable or no peer (Polling), disabled, asleep, or no state at all. */
    DOWN;

    static State parse(Optional<String> state, Optional<String> physState) {
      String logical = name(state);
      if (logical.equals("ACTIVE")) {
        return ACTIVE;
      }
      if (logical.equals("INIT") || logical.equals("ARMED") || logical.equals("ACTIVE_DEFER")) {
        return COMING_UP;
      }
      // DOWN while the physical link trains or recovers: it reaches INIT within seconds.
      return switch (name(physState)) {
        case "PortConfigurationTraining", "LinkUp", "LinkErrorRecovery" -> logical.equals("DOWN") ? COMING_UP : DOWN;
        default -> DOWN;
      };
    }

    /** "4: ACTIVE" reads ACTIVE: the kernel prints the number, a colon and the name. */
    private static String name(Optional<String> text) {
      return text.map(t -> t.substring(t.indexOf(':') + 1).strip()).orElse("");
    }
  }

  /** Whether the port state is ACTIVE. */
  public boolean active() {
    return state == State.ACTIVE;
  }

  /** LNet can run o2ib on it: active, and its netdev has an IPv4 address for the NID. */
  public boolean usableForO2ib() {
    return active() && linkLayer != LinkLayer.UNKNOWN && netdev.isPresent() && ipv4.isPresent();
  }

  /** Why LNet cannot use it, or empty if it can; for logs and readiness messages. */
  public Optional<String> problem() {
    String name = device + " port " + port;
    if (state == State.COMING_UP) {
      return Optional.of(name + " is not ACTIVE yet (coming up)");
    }
    if (!active()) {
      return Optional.of(name + " is not ACTIVE");
    }
    if (linkLayer == LinkLayer.UNKNOWN) {
      return Optional.of(name + " has an unknown link layer");
    }
    if (netdev.isEmpty()) {
      return Optional.of(name + " has no network interface");
    }
    if (ipv4.isEmpty()) {
      return Optional.of(name + ": interface " + netdev.get() + " has no IPv4 address");
    }
    return Optional.empty();
  }
}
