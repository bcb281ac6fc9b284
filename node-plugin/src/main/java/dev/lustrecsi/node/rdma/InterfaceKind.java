package dev.lustrecsi.node.rdma;

/**
 * The kinds of network interface LNet may run tcp on, as sysfs shows them, in the order tcp0
 * prefers them when it chooses: interfaces on the node's own hardware first, so that a node whose
 * NIC carries an address keeps using it, then the virtual ones a storage network is often put on.
 * Others (veth pairs, tunnels, bridges of container networks) are never chosen; an administrator
 * can still name any interface with {@code --lnet-interface}.
 */
public enum InterfaceKind {
  /** A NIC, a virtio NIC or an SR-IOV function: {@code device} links to its bus device. */
  HARDWARE,
  /** A bond of NICs: a {@code bonding/} directory. */
  BOND,
  /** An 802.1Q VLAN: {@code DEVTYPE=vlan} in {@code uevent}, and listed in {@code /proc/net/vlan/}. */
  VLAN,
  /**
   * A macvlan or ipvlan: an address of its own on a lower interface, shown by a {@code lower_*}
   * link (the kernel gives a macvlan no DEVTYPE).
   */
  STACKED,
  /**
   * A bridge ({@code bridge/} directory) with a port that leaves the node: a NIC, a bond or a
   * VLAN in its {@code brif/}. A bridge of a container network has only veth ports.
   */
  BRIDGE,
  /**
   * A dummy: no device, no DEVTYPE, no lower interface, and its own index as {@code iflink} (a
   * veth's names its peer). Its operstate reads {@code unknown}, with carrier 1.
   */
  DUMMY
}
