package dev.lustrecsi.controller.filesystem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a filesystem should be. Created from a StorageClass's parameters the first time a volume
 * names its fsName, or written by an admin.
 *
 * @param fsName the Lustre fsname, 1 to 8 characters of [A-Za-z0-9_-]
 * @param serverImage the containerDisk image of the Lustre server VMs
 * @param mgtSize size of the management target's disk (Kubernetes quantity)
 * @param mdtSize size of the metadata target's disk
 * @param ostSize size of each object storage target's disk
 * @param ostsPerOss how many OSTs one OSS VM serves before another OSS VM is started
 * @param ostCount OSTs wanted; the controller raises it as volumes are asked for, never lowers it
 * @param maxOsts growth limit: CreateVolume fails with RESOURCE_EXHAUSTED beyond it
 * @param overcommit how many bytes of volume quota one byte of OST may back (1.0: none)
 * @param diskStorageClass StorageClass of the block-mode target PVCs (empty: the cluster default)
 * @param serverCpu virtual CPUs per server VM
 * @param serverMemory guest memory per server VM (Kubernetes quantity)
 * @param lnetNetworks LNet network types the servers offer: tcp, o2ib
 * @param storageNetwork the secondary network the servers' LNet traffic uses
 * @param retention what deleting the resource does to target disks: Retain or Delete
 * @param drain indexes of OSTs to empty and remove: their files are migrated to the other OSTs,
 *     then each is removed from the filesystem and its disk (and an OSS VM left with none) deleted.
 *     OSTs being drained do not count towards {@code ostCount}: lower it by as many to shrink the
 *     filesystem, leave it to have each drained OST replaced by a new one. Once started, a drain
 *     is finished even if its index leaves this list (a half-drained OST is no use to anyone).
 * @param drainBatchFiles how many files one reconcile pass migrates off each draining OST (the
 *     pace of a drain: one batch per pass); default {@value #DEFAULT_DRAIN_BATCH_FILES}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LustreFilesystemSpec(
    String fsName,
    String serverImage,
    String mgtSize,
    String mdtSize,
    String ostSize,
    Integer ostsPerOss,
    Integer ostCount,
    Integer maxOsts,
    Double overcommit,
    String diskStorageClass,
    Integer serverCpu,
    String serverMemory,
    List<String> lnetNetworks,
    StorageNetwork storageNetwork,
    String retention,
    List<Integer> drain,
    Integer drainBatchFiles) {

  public static final String RETAIN = "Retain";
  public static final String DELETE = "Delete";
  public static final int DEFAULT_DRAIN_BATCH_FILES = 100;

  /** A spec that drains nothing. */
  public LustreFilesystemSpec(String fsName, String serverImage, String mgtSize, String mdtSize, String ostSize, Integer ostsPerOss,
      Integer ostCount, Integer maxOsts, Double overcommit, String diskStorageClass, Integer serverCpu, String serverMemory,
      List<String> lnetNetworks, StorageNetwork storageNetwork, String retention) {
    this(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, ostCount, maxOsts, overcommit, diskStorageClass, serverCpu,
        serverMemory, lnetNetworks, storageNetwork, retention, null, null);
  }

  /** The OST indexes to drain; empty when none. */
  public List<Integer> drainIndexes() {
    return drain == null ? List.of() : drain;
  }

  public int drainBatch() {
    return drainBatchFiles == null ? DEFAULT_DRAIN_BATCH_FILES : drainBatchFiles;
  }

  public LustreFilesystemSpec withDrainBatch(Integer files) {
    return new LustreFilesystemSpec(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, ostCount, maxOsts,
        overcommit, diskStorageClass, serverCpu, serverMemory, lnetNetworks, storageNetwork, retention, drain, files);
  }

  public LustreFilesystemSpec withDrain(List<Integer> indexes) {
    return new LustreFilesystemSpec(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, ostCount, maxOsts,
        overcommit, diskStorageClass, serverCpu, serverMemory, lnetNetworks, storageNetwork, retention, indexes, drainBatchFiles);
  }

  /**
   * The Multus network the server VMs attach to for LNet, and the addresses they get on it.
   *
   * @param networkAttachmentDefinition "namespace/name" or "name" (the driver's namespace)
   * @param cidr the IPv4 range server addresses are allocated from, e.g. 10.1.0.0/24
   * @param firstHost the offset of the first address handed out (leaves room for gateways)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StorageNetwork(String networkAttachmentDefinition, String cidr, Integer firstHost) {}

  public LustreFilesystemSpec withOstCount(int count) {
    return new LustreFilesystemSpec(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, count, maxOsts,
        overcommit, diskStorageClass, serverCpu, serverMemory, lnetNetworks, storageNetwork, retention, drain, drainBatchFiles);
  }
}
