package dev.lustrecsi.node.rdma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** One interface under /sys/class/net, read as the kernel shows it (ABI sysfs-class-net). */
final class NetDevice {
  /** ARPHRD_ETHER in {@code type}. */
  private static final String ETHERNET_TYPE = "1";
  /** ARPHRD_LOOPBACK. */
  private static final String LOOPBACK_TYPE = "772";

  private final Path classNet;
  private final Path dir;
  private final Path procRoot;

  NetDevice(Path classNet, String name, Path procRoot) {
    this.classNet = classNet;
    this.dir = classNet.resolve(name);
    this.procRoot = procRoot;
  }

  String name() {
    return dir.getFileName().toString();
  }

  boolean exists() {
    return Files.isDirectory(dir);
  }

  boolean loopback() throws IOException {
    return name().equals("lo") || SysfsFiles.read(dir.resolve("type")).map(LOOPBACK_TYPE::equals).orElse(false);
  }

  boolean ethernet() throws IOException {
    return SysfsFiles.read(dir.resolve("type")).map(ETHERNET_TYPE::equals).orElse(false);
  }

  String operstate() throws IOException {
    return SysfsFiles.read(dir.resolve("operstate")).orElse("missing");
  }

  /**
   * Whether it carries traffic: operstate {@code up}, or {@code unknown} with carrier, which is
   * what drivers that do not track operstate report (a dummy, a bridge before its first port).
   */
  boolean operating() throws IOException {
    String state = operstate();
    return state.equals("up") || state.equals("unknown") && SysfsFiles.readIfReadable(dir.resolve("carrier")).map("1"::equals).orElse(false);
  }

  /** What kind of interface it is, when it is one LNet may choose for tcp. */
  Optional<InterfaceKind> kind() throws IOException {
    if (leavesTheNode()) {
      return Optional.of(Files.exists(dir.resolve("device")) ? InterfaceKind.HARDWARE
          : Files.isDirectory(dir.resolve("bonding")) ? InterfaceKind.BOND : InterfaceKind.VLAN);
    }
    if (Files.isDirectory(dir.resolve("bridge"))) {
      return hasPortLeavingTheNode() ? Optional.of(InterfaceKind.BRIDGE) : Optional.empty();
    }
    Optional<String> devType = ueventValue("DEVTYPE");
    if (devType.isPresent()) {
      return Optional.empty(); // a tunnel, a wireless or wwan device without a bus link, and the like
    }
    if (hasLowerInterface()) {
      return Optional.of(InterfaceKind.STACKED);
    }
    Optional<String> index = SysfsFiles.read(dir.resolve("ifindex"));
    boolean ownLink = index.isPresent() && index.equals(SysfsFiles.read(dir.resolve("iflink")));
    return ownLink ? Optional.of(InterfaceKind.DUMMY) : Optional.empty();
  }

  /** A NIC, a bond, or a VLAN: what a bridge port must be for the bridge to reach other hosts. */
  private boolean leavesTheNode() throws IOException {
    return Files.exists(dir.resolve("device")) || Files.isDirectory(dir.resolve("bonding"))
        || ueventValue("DEVTYPE").map("vlan"::equals).orElse(false) || Files.exists(procRoot.resolve("net/vlan").resolve(name()));
  }

  private boolean hasPortLeavingTheNode() throws IOException {
    for (Path port : SysfsFiles.children(dir.resolve("brif"))) {
      if (new NetDevice(classNet, port.getFileName().toString(), procRoot).leavesTheNode()) {
        return true;
      }
    }
    return false;
  }

  private boolean hasLowerInterface() throws IOException {
    List<Path> entries = SysfsFiles.children(dir);
    return entries.stream().anyMatch(e -> e.getFileName().toString().startsWith("lower_"));
  }

  private Optional<String> ueventValue(String key) throws IOException {
    for (String line : SysfsFiles.read(dir.resolve("uevent")).orElse("").split("\n")) {
      if (line.startsWith(key + "=")) {
        return Optional.of(line.substring(key.length() + 1).strip());
      }
    }
    return Optional.empty();
  }
}
