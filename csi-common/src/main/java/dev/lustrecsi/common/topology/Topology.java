package dev.lustrecsi.common.topology;

/**
 * The topology segment both plugins agree on. The node plugin reports it in NodeGetInfo; the
 * controller requires {@code true} for volumes of an RDMA-tier StorageClass, so the scheduler
 * only places their pods on nodes that can mount over o2ib.
 */
public final class Topology {
  /** "true" on a node with an active RDMA port whose netdev has an IPv4 address, else "false". */
  public static final String RDMA_KEY = "lustre.csi.lustrecsi.dev/rdma";

  private Topology() {}

  public static String rdmaValue(boolean rdma) {
    return Boolean.toString(rdma);
  }
}
