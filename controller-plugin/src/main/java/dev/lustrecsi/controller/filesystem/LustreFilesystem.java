package dev.lustrecsi.controller.filesystem;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One Lustre filesystem whose servers run in KubeVirt VMs. Namespaced, in the driver's namespace:
 * its VMs, disks and Secrets live there too, owner references only work within a namespace, and
 * the driver's RBAC stays a Role rather than cluster-wide write access to VMs.
 */
@Group(LustreFilesystem.GROUP)
@Version(LustreFilesystem.VERSION)
@Kind("LustreFilesystem")
@Plural("lustrefilesystems")
@Singular("lustrefilesystem")
@ShortNames("lustrefs")
public class LustreFilesystem extends CustomResource<LustreFilesystemSpec, LustreFilesystemStatus> implements Namespaced {
  public static final String GROUP = "lustre.csi.lustrecsi.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
}
