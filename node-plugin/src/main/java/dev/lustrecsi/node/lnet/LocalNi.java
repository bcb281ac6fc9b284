package dev.lustrecsi.node.lnet;

import java.util.List;

/**
 * One local network interface of LNet, as {@code lnetctl net show} lists it.
 *
 * @param nid its NID
 * @param status "up" or "down"
 * @param interfaces the netdevs it runs on (empty for lo)
 */
public record LocalNi(Nid nid, String status, List<String> interfaces) {
  public LocalNi {
    interfaces = List.copyOf(interfaces);
  }

  public boolean up() {
    return status.equals("up");
  }
}
