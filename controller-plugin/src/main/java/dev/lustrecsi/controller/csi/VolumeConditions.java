package dev.lustrecsi.controller.csi;

import csi.v1.VolumeCondition;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.volume.VolumeProvisioner;
import dev.lustrecsi.controller.volume.VolumeRecord;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;

/**
 * The conditions of the volumes one ListVolumes page or ControllerGetVolume call reports, from
 * their usage as each filesystem's MDS agent reads it. A volume whose usage cannot be read is
 * abnormal, saying why, and the call still answers: one filesystem whose servers are down must not
 * hide every other filesystem's volumes, and a volume whose servers are gone is just what a
 * volume condition is for. A filesystem that could not be reached is not asked again within the
 * call, since every ask may wait out the agent's deadline.
 */
final class VolumeConditions {
  private final VolumeProvisioner provisioner;
  private final Map<String, String> unreachable = new HashMap<>();

  VolumeConditions(VolumeProvisioner provisioner) {
    this.provisioner = provisioner;
  }

  VolumeCondition of(VolumeRecord volume) {
    if (volume.state() != VolumeRecord.State.READY) {
      return abnormal("volume is " + volume.state().name().toLowerCase());
    }
    String fsName = volume.id().fsName();
    String down = unreachable.get(fsName);
    if (down != null) {
      return abnormal(down);
    }
    DirectoryUsage usage;
    try {
      usage = provisioner.usage(volume);
    } catch (CsiException e) {
      String why = "its usage cannot be read from filesystem " + fsName + "'s servers: " + e.getMessage();
      if (e.code() == Status.Code.UNAVAILABLE || e.code() == Status.Code.DEADLINE_EXCEEDED) {
        unreachable.put(fsName, why);
      }
      return abnormal(why);
    }
    if (usage.overQuota()) {
      return abnormal("volume is over its quota: " + Sizes.format(usage.usedBytes()) + " used of " + Sizes.format(usage.quotaBytes()));
    }
    return VolumeCondition.newBuilder().setAbnormal(false).setMessage("healthy").build();
  }

  private static VolumeCondition abnormal(String message) {
    return VolumeCondition.newBuilder().setAbnormal(true).setMessage(message).build();
  }
}
