package dev.lustrecsi.node.rdma;

/**
 * A plain Ethernet interface LNet can run tcp on.
 *
 * @param name the interface (eth0)
 * @param ipv4 its IPv4 address
 */
public record EthernetInterface(String name, String ipv4) {}
