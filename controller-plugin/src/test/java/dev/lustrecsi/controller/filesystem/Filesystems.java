package dev.lustrecsi.controller.filesystem;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;

/** LustreFilesystem resources for tests. */
public final class Filesystems {
  private Filesystems() {}

  public static LustreFilesystemSpec spec(String fsName, int ostCount, int ostsPerOss, List<String> networks) {
    return new LustreFilesystemSpec(fsName, "example.org/lustre-server:2.16.1", "1Gi", "64Gi", "1Ti", ostsPerOss, ostCount, 16,
        1.0, "fast-block", 4, "8Gi", networks, new LustreFilesystemSpec.StorageNetwork("lustre/lnet", "10.1.0.0/24", null), null);
  }

  public static LustreFilesystem resource(LustreFilesystemSpec spec) {
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName(ResourceNames.of(spec.fsName()).filesystem())
        .withNamespace("lustre-csi").withUid("6f1c1d3e-0000-4000-8000-000000000001").build());
    filesystem.setSpec(spec);
    filesystem.setStatus(FilesystemPlanner.plan(spec, LustreFilesystemStatus.empty(), List.of()));
    return filesystem;
  }
}
