package dev.lustrecsi.controller.parameters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.DirectoryAccess;
import dev.lustrecsi.common.volume.Sizes;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class StorageClassParametersTest {
  @Test
  void appliesDefaults() {
    StorageClassParameters p = StorageClassParameters.parse(Map.of("fsName", "fs1"));
    assertThat(p.striping()).isEqualTo(new Striping(1, 4 * Sizes.MIB, ""));
    assertThat(p.filesystem().ostSize()).isEqualTo(Sizes.TIB);
    assertThat(p.filesystem().maxOsts()).isEqualTo(64);
    assertThat(p.filesystem().given()).as("defaults are applied on reading, not recorded as given").isEmpty();
    assertThat(p.directoryAccess()).as("a new volume any pod can write to, whatever user it runs as")
        .isEqualTo(new DirectoryAccess(0777, 0, 0));
  }

  @ParameterizedTest(name = "{0} {1}:{2}")
  @CsvSource({"0777, 0, 0, 511", "2775, 1000, 2000, 1533", "0755, 2147483647, 0, 493", "7777, 0, 2147483647, 4095", "0000, 0, 0, 0"})
  void readsTheDirectorysModeInOctalAndItsOwnerInDecimal(String mode, String uid, String gid, int bits) {
    StorageClassParameters p = StorageClassParameters.parse(Map.of("fsName", "fs1", "directoryMode", mode, "directoryUid", uid,
        "directoryGid", gid));
    assertThat(p.directoryAccess()).isEqualTo(new DirectoryAccess(bits, Long.parseLong(uid), Long.parseLong(gid)));
  }

  @Test
  void readsEveryParameter() {
    StorageClassParameters p = StorageClassParameters.parse(Map.of(
        "fsName", "scratch", "stripeCount", "-1", "stripeSize", "1M", "pool", "flash", "ostSize", "512Gi", "maxOsts", "8",
        "csi.storage.k8s.io/pvc/name", "data"));
    assertThat(p).isEqualTo(new StorageClassParameters("scratch", new Striping(-1, Sizes.MIB, "flash"),
        dev.lustrecsi.common.topology.LnetChoice.AUTO, new FilesystemParameters(Map.of("ostSize", "512Gi", "maxOsts", "8")),
        DirectoryAccess.DEFAULT));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "fsName|toolongname|parameters.fsName",
      "fsName|fs.1|parameters.fsName",
      "fsName|-|parameters.fsName",
      "fsName|_fs|parameters.fsName",
      "stripeCount|0|parameters.stripeCount",
      "stripeCount|-2|parameters.stripeCount",
      "stripeCount|2001|parameters.stripeCount",
      "stripeCount|two|parameters.stripeCount",
      "stripeCount|' 2'|parameters.stripeCount",
      "stripeCount|'2 '|parameters.stripeCount",
      "stripeCount|+2|parameters.stripeCount",
      "stripeCount|02|parameters.stripeCount",
      "stripeSize|100K|parameters.stripeSize",
      "stripeSize|8G|parameters.stripeSize",
      "stripeSize|4G|parameters.stripeSize",
      "stripeSize|4MB extra|parameters.stripeSize",
      "stripeSize|' 4M'|parameters.stripeSize",
      "stripeSize|+4M|parameters.stripeSize",
      "stripeSize|4m|parameters.stripeSize",
      "stripeSize|4 M|parameters.stripeSize",
      "pool|a pool|parameters.pool",
      "pool|sixteencharacter|parameters.pool",
      "pool|..|parameters.pool",
      "pool|.|parameters.pool",
      "pool|-p|parameters.pool",
      "ostSize|512Mi|parameters.ostSize",
      "ostSize|1TB|parameters.ostSize",
      "ostSize|1TI|parameters.ostSize",
      "ostSize|1 Ti|parameters.ostSize",
      "ostSize|1ti|parameters.ostSize",
      "ostSize|1.5Ti|parameters.ostSize",
      "maxOsts|0|parameters.maxOsts",
      "maxOsts|100000|parameters.maxOsts",
      "maxOsts|' 8'|parameters.maxOsts",
      "lnet|TCP|parameters.lnet",
      "lnet|' tcp'|parameters.lnet",
      "serverImage|' '|parameters.serverImage",
      "serverImage|a\u0000b|parameters.serverImage",
      "serverImage|Lustre/Server|parameters.serverImage",
      "serverImage|lustre:|parameters.serverImage",
      "serverImage|lustre@sha256:abc|parameters.serverImage",
      "storageNetwork|ns/net/x|parameters.storageNetwork",
      "storageNetwork|Net|parameters.storageNetwork",
      "storageCidr|' 10.1.0.0/24'|parameters.storageCidr",
      "storageCidr|010.1.0.0/24|parameters.storageCidr",
      "storageCidr|10.1.0.0/+24|parameters.storageCidr",
      "storageCidr|10.1.0.0/30|parameters.storageCidr",
      "ostsPerOss|+4|parameters.ostsPerOss",
      "ostsPerOss|' 4'|parameters.ostsPerOss",
      "ostsPerOss|17|parameters.ostsPerOss",
      "mgtSize|1GI|parameters.mgtSize",
      "mdtSize|64 Gi|parameters.mdtSize",
      "diskStorageClass|fast..ssd|parameters.diskStorageClass",
      "diskStorageClass|Fast|parameters.diskStorageClass",
      "serverCpu|' 2'|parameters.serverCpu",
      "serverCpu|+2|parameters.serverCpu",
      "serverMemory|4gi|parameters.serverMemory",
      "serverMemory|1Gi|parameters.serverMemory",
      "lnetNetworks|,|parameters.lnetNetworks",
      "lnetNetworks|'tcp,,'|parameters.lnetNetworks",
      "lnetNetworks|'tcp, o2ib'|parameters.lnetNetworks",
      "lnetNetworks|tcp,tcp|parameters.lnetNetworks",
      "overcommit|+1.0|parameters.overcommit",
      "overcommit|' 1.0'|parameters.overcommit",
      "overcommit|1e1|parameters.overcommit",
      "overcommit|NaN|parameters.overcommit",
      "overcommit|0x1p1|parameters.overcommit",
      "overcommit|0.5|parameters.overcommit",
      "retention|retain|parameters.retention",
      "directoryMode|10000|parameters.directoryMode",
      "directoryMode|0o777|parameters.directoryMode",
      "directoryMode|0x1ff|parameters.directoryMode",
      "directoryMode|0778|parameters.directoryMode",
      "directoryMode|rwxrwxrwx|parameters.directoryMode",
      "directoryMode|u+w|parameters.directoryMode",
      "directoryMode|77|parameters.directoryMode",
      "directoryMode|755|parameters.directoryMode",
      "directoryMode|511|parameters.directoryMode",
      "directoryMode|02775|parameters.directoryMode",
      "directoryMode|' 0777'|parameters.directoryMode",
      "directoryMode|-777|parameters.directoryMode",
      "directoryUid|-1|parameters.directoryUid",
      "directoryUid|2147483648|parameters.directoryUid",
      "directoryUid|4294967295|parameters.directoryUid",
      "directoryUid|99999999999|parameters.directoryUid",
      "directoryUid|01000|parameters.directoryUid",
      "directoryUid|+1000|parameters.directoryUid",
      "directoryUid|alice|parameters.directoryUid",
      "directoryGid|-1|parameters.directoryGid",
      "directoryGid|2147483648|parameters.directoryGid",
      "directoryGid|1000.0|parameters.directoryGid",
      "csi.storage.k8s.io/pvc/name|'a\nb'|parameters.csi.storage.k8s.io/pvc/name",
      "stripecount|2|stripecount",
      "csi.storage.k8s.io/fstype|ext4|csi.storage.k8s.io/fstype"})
  void rejectsBadValuesNamingTheParameter(String key, String value, String named) {
    Map<String, String> params = new HashMap<>(Map.of("fsName", "fs1"));
    params.put(key, value.translateEscapes());
    assertThatThrownBy(() -> StorageClassParameters.parse(params))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains(named);
          assertThat(CallerText.isPrintable(e.getMessage())).as("the message quotes the value escaped: %s", e.getMessage()).isTrue();
        });
  }

  @Test
  void aVeryLongValueIsQuotedOnlyInPart() {
    String image = "a".repeat(64 * 1024);
    assertThatThrownBy(() -> StorageClassParameters.parse(Map.of("fsName", "fs1", "serverImage", image)))
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.getMessage()).hasSizeLessThan(1000).contains("(65536 characters)"));
  }

  /** One rule for every parameter: an empty value is refused, never taken as the default. */
  @ParameterizedTest
  @MethodSource("everyParameter")
  void anEmptyValueIsRefusedForEveryParameter(String key) {
    Map<String, String> params = new HashMap<>(Map.of("fsName", "fs1"));
    params.put(key, "");
    assertThatThrownBy(() -> StorageClassParameters.parse(params))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("parameters." + key + ": is empty");
        });
  }

  static java.util.stream.Stream<String> everyParameter() {
    return StorageClassParameters.DEFINITIONS.stream().map(ParameterDefinition::key);
  }

  @Test
  void acceptsTheEdgesOfEachGrammar() {
    StorageClassParameters p = StorageClassParameters.parse(Map.ofEntries(
        Map.entry("fsName", "a"), Map.entry("stripeCount", "2000"), Map.entry("stripeSize", "4194240K"),
        Map.entry("pool", "ssd.tier_1-a"), Map.entry("ostSize", "1GiB"), Map.entry("maxOsts", "1024"),
        Map.entry("serverImage", "registry.example.com:5000/lustre/server-vm:2.16.1@sha256:" + "0123456789abcdef".repeat(4)),
        Map.entry("storageNetwork", "lustre/lnet-net"), Map.entry("storageCidr", "10.1.0.0/24"), Map.entry("ostsPerOss", "16"),
        Map.entry("mgtSize", "1073741824"), Map.entry("serverMemory", "2Gi"), Map.entry("lnetNetworks", "o2ib,tcp"),
        Map.entry("overcommit", "2"), Map.entry("diskStorageClass", "fast.ssd"), Map.entry("csi.storage.k8s.io/pvc/namespace", "team-a")));
    assertThat(p.striping()).isEqualTo(new Striping(2000, 4 * Sizes.GIB - 64 * Sizes.KIB, "ssd.tier_1-a"));
    assertThat(p.filesystem().value("overcommit")).isEqualTo("2.0");
    assertThat(p.filesystem().lnetNetworks()).containsExactly("o2ib", "tcp");
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
