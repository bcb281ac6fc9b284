package dev.lustrecsi.node.rdma;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the node's RDMA ports and the interfaces LNet may run tcp on, in sysfs (kernel ABI
 * {@code sysfs-class-infiniband} and {@code sysfs-class-net}). The sysfs and procfs roots are
 * parameters so tests run against fixture trees.
 */
public final class SysfsNetworkScanner {
  private final Path sysRoot;
  private final Path procRoot;
  private final Optional<String> tcpInterface;

  public SysfsNetworkScanner(Path sysRoot, Path procRoot) {
    this(sysRoot, procRoot, Optional.empty());
  }

  /**
   * @param tcpInterface the one interface tcp may use, named by the administrator; empty to
   *     choose among the usable ones
   */
  public SysfsNetworkScanner(Path sysRoot, Path procRoot, Optional<String> tcpInterface) {
    this.sysRoot = sysRoot;
    this.procRoot = procRoot;
    this.tcpInterface = tcpInterface;
  }

  public NodeNetworks scan() {
    try {
      Ipv4Addresses addresses = Ipv4Addresses.read(procRoot);
      List<RdmaPort> ports = rdmaPorts(addresses);
      if (tcpInterface.isEmpty()) {
        return new NodeNetworks(ports, usableForTcp(addresses));
      }
      String name = tcpInterface.get();
      Optional<String> problem = problemWith(name, addresses);
      return new NodeNetworks(ports, problem.isEmpty() ? List.of(new EthernetInterface(name, addresses.of(name).orElseThrow())) : List.of(),
          problem);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the node's network interfaces", e);
    }
  }

  private List<RdmaPort> rdmaPorts(Ipv4Addresses addresses) throws IOException {
    List<RdmaPort> ports = new ArrayList<>();
    for (Path device : SysfsFiles.children(sysRoot.resolve("class/infiniband"))) {
      for (Path port : SysfsFiles.children(device.resolve("ports"))) {
        int number;
        try {
          number = Integer.parseInt(port.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        RdmaPort.State state = RdmaPort.State.parse(SysfsFiles.read(port.resolve("state")), SysfsFiles.read(port.resolve("phys_state")));
        RdmaPort.LinkLayer layer = SysfsFiles.read(port.resolve("link_layer")).map(RdmaPort.LinkLayer::parse).orElse(RdmaPort.LinkLayer.UNKNOWN);
        Optional<String> netdev = netdev(device, port, number);
        ports.add(new RdmaPort(device.getFileName().toString(), number, layer, state, netdev, netdev.flatMap(addresses::of)));
      }
    }
    return ports;
  }

  /**
   * The netdev behind a port: RoCE ports name it in gid_attrs/ndevs (per port, exact); IPoIB
   * netdevs are listed under device/net, and with several ports dev_port (0-based) tells which.
   */
  private Optional<String> netdev(Path device, Path port, int number) throws IOException {
    Optional<String> fromGid;
    try {
      fromGid = SysfsFiles.read(port.resolve("gid_attrs/ndevs/0"));
    } catch (IOException e) {
      fromGid = Optional.empty(); // InfiniBand ports answer EINVAL: their GIDs have no netdev
    }
    if (fromGid.isPresent() && !fromGid.get().isEmpty()) {
      return fromGid;
    }
    List<Path> nets = SysfsFiles.children(device.resolve("device/net"));
    if (nets.size() == 1) {
      return Optional.of(nets.getFirst().getFileName().toString());
    }
    for (Path net : nets) {
      Optional<String> devPort = SysfsFiles.read(net.resolve("dev_port"));
      if (devPort.isPresent() && devPort.get().equals(Integer.toString(number - 1))) {
        return Optional.of(net.getFileName().toString());
      }
    }
    return Optional.empty();
  }

  /**
   * Ethernet interfaces that carry traffic and have an IPv4 address, of a kind LNet may choose
   * ({@link InterfaceKind}), hardware first: virtual interfaces of container networks are not
   * for LNet.
   */
  private List<EthernetInterface> usableForTcp(Ipv4Addresses addresses) throws IOException {
    List<RankedInterface> found = new ArrayList<>();
    for (Path entry : SysfsFiles.children(sysRoot.resolve("class/net"))) {
      NetDevice device = new NetDevice(entry.getParent(), entry.getFileName().toString(), procRoot);
      if (device.loopback() || !device.ethernet() || !device.operating()) {
        continue;
      }
      Optional<InterfaceKind> kind = device.kind();
      Optional<String> address = addresses.of(device.name());
      if (kind.isPresent() && address.isPresent()) {
        found.add(new RankedInterface(kind.get(), new EthernetInterface(device.name(), address.get())));
      }
    }
    // Stable: interfaces of one kind keep their name order.
    return found.stream().sorted(Comparator.comparing(RankedInterface::kind)).map(RankedInterface::iface).toList();
  }

  private record RankedInterface(InterfaceKind kind, EthernetInterface iface) {}

  /** Why the administrator's interface cannot carry tcp, or empty when it can; whatever its kind or type. */
  private Optional<String> problemWith(String name, Ipv4Addresses addresses) throws IOException {
    if (!isInterfaceName(name)) {
      return Optional.of("\"" + name + "\" is not an interface name (1 to 15 characters, none of '/', ':' or white space)");
    }
    NetDevice device = new NetDevice(sysRoot.resolve("class/net"), name, procRoot);
    if (!device.exists()) {
      return Optional.of("interface " + name + " does not exist on this node");
    }
    if (device.loopback()) {
      return Optional.of("interface " + name + " is the loopback interface");
    }
    if (!device.operating()) {
      return Optional.of("interface " + name + " is not up (operstate " + device.operstate() + ")");
    }
    if (addresses.of(name).isEmpty()) {
      return Optional.of("interface " + name + " has no IPv4 address with an on-link route");
    }
    return Optional.empty();
  }

  /** As the kernel's dev_valid_name: also keeps the name from leading anywhere but /sys/class/net/NAME. */
  private static boolean isInterfaceName(String name) {
    return !name.isEmpty() && name.length() < 16 && !name.equals(".") && !name.equals("..")
        && name.chars().noneMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c));
  }
}
