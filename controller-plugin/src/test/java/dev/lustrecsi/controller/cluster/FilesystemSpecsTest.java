package dev.lustrecsi.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.parameters.FilesystemParameters;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilesystemSpecsTest {
  private static final ServerDefaults DEFAULTS = new ServerDefaults("registry.example/lustre:2.16.1", "lustre-storage", "10.1.0.0/24");

  /** A StorageClass that gives both sizing parameters (OSTs of 1536Gi, at most 16) and these. */
  private static FilesystemSpec requested(Map<String, String> serverParameters) {
    Map<String, String> parameters = new java.util.HashMap<>(Map.of("ostSize", "1536Gi", "maxOsts", "16"));
    parameters.putAll(serverParameters);
    return given(parameters);
  }

  private static FilesystemSpec given(Map<String, String> parameters) {
    return FilesystemSpec.requested("fs1", FilesystemParameters.parse(parameters));
  }

  @Test
  void aNewFilesystemTakesTheStorageClassThenTheControllersDefaults() {
    LustreFilesystemSpec spec = FilesystemSpecs.create(requested(Map.of("serverCpu", "8", "lnetNetworks", "tcp,o2ib",
        "storageNetwork", "lustre/rdma-net")), DEFAULTS);

    assertThat(spec.ostSize()).as("an exact quantity, not 1.5Ti").isEqualTo("1536Gi");
    assertThat(spec.serverImage()).isEqualTo("registry.example/lustre:2.16.1");
    assertThat(spec.storageNetwork()).isEqualTo(new LustreFilesystemSpec.StorageNetwork("lustre/rdma-net", "10.1.0.0/24", null));
    assertThat(spec.serverCpu()).isEqualTo(8);
    assertThat(spec.lnetNetworks()).containsExactly("tcp", "o2ib");
    assertThat(spec.ostsPerOss()).isEqualTo(4);
    assertThat(spec.ostCount()).isEqualTo(1);
    assertThat(spec.maxOsts()).isEqualTo(16);
    assertThat(spec.retention()).isEqualTo("Retain");
    assertThat(spec.diskStorageClass()).as("empty: the cluster's default StorageClass").isNull();
  }

  /**
   * The parameters' sizes are binary whatever their spelling (64G and 64GiB are 64Gi), but the
   * spec hands them to Kubernetes, where 64G is 64*10^9 bytes and 64GiB no quantity at all (the
   * PVC and the VM would be refused): every size reaches the spec as an exact binary quantity.
   */
  @Test
  void everySizeReachesTheSpecAsTheKubernetesQuantityOfWhatTheParameterMeans() {
    LustreFilesystemSpec spec = FilesystemSpecs.create(requested(Map.of("mgtSize", "2GiB", "mdtSize", "64G",
        "serverMemory", "8192M")), DEFAULTS);

    assertThat(spec.mgtSize()).isEqualTo("2Gi");
    assertThat(spec.mdtSize()).isEqualTo("64Gi");
    assertThat(spec.serverMemory()).isEqualTo("8Gi");
    assertThatCode(() -> FilesystemSpecs.requireCompatible(spec, requested(Map.of("mgtSize", "2GiB", "mdtSize", "64G",
        "serverMemory", "8192M")))).as("the StorageClass that made it agrees with it").doesNotThrowAnyException();
  }

  @Test
  void aSettingNobodyGaveIsInvalidArgumentNamingTheParameterAndTheFlag() {
    assertThatThrownBy(() -> FilesystemSpecs.create(requested(Map.of()), new ServerDefaults("img", "", "10.1.0.0/24")))
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("parameters.storageNetwork").hasMessageContaining("--default-storage-network");
  }

  @Test
  void anExistingFilesystemIsComparedOnlyOnWhatTheStorageClassSays() {
    LustreFilesystemSpec existing = FilesystemSpecs.create(requested(Map.of("serverMemory", "8Gi")), DEFAULTS);

    assertThatCode(() -> FilesystemSpecs.requireCompatible(existing, requested(Map.of()))).doesNotThrowAnyException();
    assertThatCode(() -> FilesystemSpecs.requireCompatible(existing, requested(Map.of("serverMemory", "8192Mi"))))
        .as("the same size written another way").doesNotThrowAnyException();
    assertThatThrownBy(() -> FilesystemSpecs.requireCompatible(existing, requested(Map.of("serverMemory", "16Gi", "ostsPerOss", "2"))))
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageStartingWith("parameters.ostsPerOss: filesystem has 4, StorageClass asks for 2 (and 1 more: serverMemory");
    assertThatThrownBy(() -> FilesystemSpecs.requireCompatible(existing,
        given(Map.of("ostSize", "512Gi", "maxOsts", "16"))))
        .as("both sizes as written, in the same units")
        .hasMessageStartingWith("parameters.ostSize: filesystem has 1536Gi, StorageClass asks for 512Gi;");
  }

  /** A short StorageClass (fsName only) for a filesystem an admin made with other sizes: its defaults are not held against it. */
  @Test
  void sizingTheStorageClassLeavesToItsDefaultsIsNotComparedWithAnExistingFilesystem() {
    LustreFilesystemSpec existing = FilesystemSpecs.create(requested(Map.of()), DEFAULTS);  // 1536Gi OSTs, at most 16

    assertThatCode(() -> FilesystemSpecs.requireCompatible(existing,
        given(Map.of()))).doesNotThrowAnyException();
    assertThatThrownBy(() -> FilesystemSpecs.requireCompatible(existing,
        given(Map.of("ostSize", "1Ti"))))
        .hasMessageStartingWith("parameters.ostSize: filesystem has 1536Gi");
  }

  /** The growth limit raised on the LustreFilesystem: the StorageClasses that made it (asking for less) still work; one asking for more does not. */
  @Test
  void aFilesystemWhoseLimitWasRaisedStillServesStorageClassesAskingForLess() {
    // Made with a limit of 16 OSTs, raised to 32 on the resource since.
    LustreFilesystemSpec raised = FilesystemSpecs.create(given(Map.of("ostSize", "1536Gi", "maxOsts", "32")),
        DEFAULTS);

    assertThatCode(() -> FilesystemSpecs.requireCompatible(raised, requested(Map.of()))).doesNotThrowAnyException();
    assertThatThrownBy(() -> FilesystemSpecs.requireCompatible(raised,
        given(Map.of("ostSize", "1536Gi", "maxOsts", "64"))))
        .hasMessageStartingWith("parameters.maxOsts: filesystem has 32, StorageClass asks for 64");
  }

  @Test
  void serverParametersAreValidatedByName() {
    for (var bad : List.of(Map.of("ostsPerOss", "0"), Map.of("serverMemory", "1Gi"), Map.of("lnetNetworks", "tcp,ib"),
        Map.of("storageCidr", "10.1.0.5/24"), Map.of("retention", "Keep"), Map.of("overcommit", "0.5"),
        Map.of("storageNetwork", "Bad_Name"))) {
      String key = bad.keySet().iterator().next();
      assertThatThrownBy(() -> FilesystemParameters.parse(bad)).as(key)
          .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageStartingWith("parameters." + key);
    }
  }
}
