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
 * @param external set when the filesystem is the site's own, run on its servers: the driver
 *     makes no VMs or disks for it, never grows it, and reaches it through the agent on the
 *     site's management host; the server fields above are then unused
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
    Integer drainBatchFiles,
    External external) {

  public static final String RETAIN = "Retain";
  public static final String DELETE = "Delete";
  public static final int DEFAULT_DRAIN_BATCH_FILES = 100;

  /** The OST indexes to drain; empty when none. */
  public List<Integer> drainIndexes() {
    return drain == null ? List.of() : drain;
  }

  public int drainBatch() {
    return drainBatchFiles == null ? DEFAULT_DRAIN_BATCH_FILES : drainBatchFiles;
  }

  public LustreFilesystemSpec withDrainBatch(Integer files) {
    return new LustreFilesystemSpec(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, ostCount, maxOsts,
        overcommit, diskStorageClass, serverCpu, serverMemory, lnetNetworks, storageNetwork, retention, drain, files, external);
  }

  public LustreFilesystemSpec withDrain(List<Integer> indexes) {
    return new LustreFilesystemSpec(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, ostCount, maxOsts,
        overcommit, diskStorageClass, serverCpu, serverMemory, lnetNetworks, storageNetwork, retention, indexes, drainBatchFiles, external);
  }

  /** A filesystem of the driver's own (its servers are KubeVirt VMs) that drains nothing. */
  public LustreFilesystemSpec(String fsName, String serverImage, String mgtSize, String mdtSize, String ostSize, Integer ostsPerOss,
      Integer ostCount, Integer maxOsts, Double overcommit, String diskStorageClass, Integer serverCpu, String serverMemory,
      List<String> lnetNetworks, StorageNetwork storageNetwork, String retention) {
    this(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, ostCount, maxOsts, overcommit, diskStorageClass, serverCpu,
        serverMemory, lnetNetworks, storageNetwork, retention, null, null, null);
  }

  /** A filesystem the site runs; only its name and where to reach it. */
  public static LustreFilesystemSpec external(String fsName, External external) {
    return new LustreFilesystemSpec(fsName, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, external);
  }

  /** Whether the site runs the filesystem (spec.external is set); not a bean getter, so it never reaches the JSON. */
  public boolean runBySite() {
    return external != null;
  }

  /**
   * A Lustre filesystem the site already runs on its own servers.
   *
   * @param mgsNids the MGS NIDs over tcp as a mount source takes them: {@code ,} between NIDs of
   *     one server, {@code :} between failover servers (e.g. 10.0.0.1@tcp:10.0.0.2@tcp)
   * @param mgsNidsO2ib the same over o2ib, if the site's servers offer it
   * @param agentAddress host:port of the server agent on the site's management host, a Lustre
   *     client with the filesystem mounted and root not squashed
   * @param volumeRoot directory under the filesystem root the volumes are made in (default
   *     {@value ExternalSpec#DEFAULT_VOLUME_ROOT}); the site keeps everything else
   * @param overcommit the share of the filesystem's OST capacity volumes may commit, e.g. 0.5
   *     for half of it, 2.0 for twice it (default 1.0)
   * @param projectIds the project ids the driver may give volumes; the site's own quotas use
   *     the others (default {@value ExternalSpec#DEFAULT_FIRST_PROJECT_ID} to
   *     {@value ExternalSpec#DEFAULT_LAST_PROJECT_ID})
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record External(String mgsNids, String mgsNidsO2ib, String agentAddress, String volumeRoot, Double overcommit,
      ProjectIdRange projectIds) {}

  /**
   * An inclusive range of Lustre project ids.
   *
   * @param first the lowest id the driver may use
   * @param last the highest id the driver may use
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ProjectIdRange(Integer first, Integer last) {}

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
        overcommit, diskStorageClass, serverCpu, serverMemory, lnetNetworks, storageNetwork, retention, drain, drainBatchFiles, external);
  }

  public LustreFilesystemSpec withRetention(String policy) {
    return new LustreFilesystemSpec(fsName, serverImage, mgtSize, mdtSize, ostSize, ostsPerOss, ostCount, maxOsts,
        overcommit, diskStorageClass, serverCpu, serverMemory, lnetNetworks, storageNetwork, policy, drain, drainBatchFiles, external);
  }
}
