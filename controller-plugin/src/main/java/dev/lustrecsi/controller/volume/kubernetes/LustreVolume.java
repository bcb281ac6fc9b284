package dev.lustrecsi.controller.volume.kubernetes;

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
 * The controller's record of one CSI volume, kept in the API server so that it outlives the
 * controller pod that wrote it. It has no status: the record is the controller's own state, not
 * a request that something else reconciles.
 */
@Group(LustreFilesystem.GROUP)
@Version(LustreFilesystem.VERSION)
@Kind("LustreVolume")
@Plural("lustrevolumes")
@Singular("lustrevolume")
@ShortNames("lustrevol")
public class LustreVolume extends CustomResource<LustreVolumeSpec, Void> implements Namespaced {}
