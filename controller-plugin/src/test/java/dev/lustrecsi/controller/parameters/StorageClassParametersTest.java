package dev.lustrecsi.controller.parameters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StorageClassParametersTest {
  @Test
  void appliesDefaults() {
    StorageClassParameters p = StorageClassParameters.parse(Map.of("fsName", "fs1"));
    assertThat(p.striping()).isEqualTo(new Striping(1, 4 * Sizes.MIB, ""));
    assertThat(p.ostSize()).isEqualTo(Sizes.TIB);
    assertThat(p.maxOsts()).isEqualTo(64);
  }

  @Test
  void readsEveryParameter() {
    StorageClassParameters p = StorageClassParameters.parse(Map.of(
        "fsName", "scratch", "stripeCount", "-1", "stripeSize", "1M", "pool", "flash", "ostSize", "512Gi", "maxOsts", "8",
        "csi.storage.k8s.io/pvc/name", "data"));
    assertThat(p).isEqualTo(new StorageClassParameters("scratch", new Striping(-1, Sizes.MIB, "flash"), 512 * Sizes.GIB, 8,
        dev.lustrecsi.common.topology.LnetChoice.AUTO, new ServerParameters(java.util.Map.of())));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "fsName|''|parameters.fsName",
      "fsName|toolongname|parameters.fsName",
      "fsName|fs.1|parameters.fsName",
      "stripeCount|0|parameters.stripeCount",
      "stripeCount|-2|parameters.stripeCount",
      "stripeCount|two|parameters.stripeCount",
      "stripeSize|100K|parameters.stripeSize",
      "stripeSize|8G|parameters.stripeSize",
      "stripeSize|4MB extra|parameters.stripeSize",
      "pool|a pool|parameters.pool",
      "pool|sixteencharacter|parameters.pool",
      "ostSize|512Mi|parameters.ostSize",
      "ostSize|1TB|parameters.ostSize",
      "maxOsts|0|parameters.maxOsts",
      "maxOsts|100000|parameters.maxOsts",
      "stripecount|2|stripecount",
      "csi.storage.k8s.io/fstype|ext4|csi.storage.k8s.io/fstype"})
  void rejectsBadValuesNamingTheParameter(String key, String value, String named) {
    Map<String, String> params = new HashMap<>(Map.of("fsName", "fs1"));
    params.put(key, value);
    assertThatThrownBy(() -> StorageClassParameters.parse(params))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains(named);
        });
  }

  @Test
  void requiresFsName() {
    assertThatThrownBy(() -> StorageClassParameters.parse(Map.of())).hasMessage("parameters.fsName: is required");
  }

  @Test
  void lnetDefaultsToAutoAndAcceptsTcpAndO2ib() {
    assertThat(StorageClassParameters.parse(Map.of("fsName", "fs1")).lnet()).isEqualTo(dev.lustrecsi.common.topology.LnetChoice.AUTO);
    assertThat(StorageClassParameters.parse(Map.of("fsName", "fs1", "lnet", "o2ib")).lnet()).isEqualTo(dev.lustrecsi.common.topology.LnetChoice.O2IB);
    assertThat(StorageClassParameters.parse(Map.of("fsName", "fs1", "lnet", "tcp")).lnet()).isEqualTo(dev.lustrecsi.common.topology.LnetChoice.TCP);
    assertThatThrownBy(() -> StorageClassParameters.parse(Map.of("fsName", "fs1", "lnet", "rdma")))
        .hasMessage("parameters.lnet: \"rdma\" is not one of tcp, o2ib, auto");
  }
}
