package dev.lustrecsi.controller.snapshot.kubernetes;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The controller's record of one CSI snapshot, kept in the API server so that it outlives the
 * controller pod. Like a LustreVolume it has no status: it is the controller's own state.
 */
@Group(LustreFilesystem.GROUP)
@Version(LustreFilesystem.VERSION)
@Kind("LustreSnapshot")
@Plural("lustresnapshots")
@Singular("lustresnapshot")
@ShortNames("lustresnap")
public class LustreSnapshot extends CustomResource<LustreSnapshotSpec, Void> implements Namespaced {}
