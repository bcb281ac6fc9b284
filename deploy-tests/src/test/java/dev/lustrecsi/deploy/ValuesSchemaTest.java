package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json: Helm refuses bad values before rendering anything, naming the value. */
class ValuesSchemaTest {
  @TempDir Path dir;

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("replicas as a word", "controller:\n  replicas: two\n", "'/controller/replicas': got string, want integer"),
        Arguments.of("no replicas", "controller:\n  replicas: 0\n", "'/controller/replicas': minimum: got 0, want 1"),
        Arguments.of("unknown LNet mode", "node:\n  lnet:\n    mode: auto\n", "'/node/lnet/mode': value must be one of 'manage', 'external'"),
        Arguments.of("LNet interface that is a path", "node:\n  lnet:\n    interface: ../eth0\n",
            "'/node/lnet/interface': '../eth0' does not match pattern"),
        Arguments.of("LNet interface longer than the kernel allows", "node:\n  lnet:\n    interface: storage-vlan-0100\n",
            "'/node/lnet/interface': 'storage-vlan-0100' does not match pattern"),
        Arguments.of("LNet interface with external LNet", "node:\n  lnet:\n    mode: external\n    interface: eth1\n",
            "'/node/lnet/interface': value must be ''"),
        Arguments.of("missing controller image", "controller:\n  image:\n    repository: null\n", "'/controller/image': missing property 'repository'"),
        Arguments.of("empty node image tag", "node:\n  image:\n    tag: \"\"\n", "'/node/image/tag': '' does not match pattern"),
        Arguments.of("misspelt top-level key", "controllers:\n  replicas: 3\n", "'controllers'"),
        Arguments.of("misspelt nested key", "controller:\n  replica: 3\n", "'replica'"),
        Arguments.of("fsGroupPolicy Lustre cannot honour", "csiDriver:\n  fsGroupPolicy: ReadWriteOnceWithFSType\n",
            "'/csiDriver/fsGroupPolicy': value must be one of 'None', 'File'"),
        Arguments.of("provisioner timeout without a unit", "controller:\n  provisioner:\n    timeout: 300\n",
            "'/controller/provisioner/timeout': got number, want string"),
        Arguments.of("privileged port on the host network", "node:\n  healthPort: 80\n", "'/node/healthPort': minimum: got 80"),
        Arguments.of("metrics on a privileged port of every node", "node:\n  metrics:\n    port: 443\n",
            "'/node/metrics/port': minimum: got 443"),
        Arguments.of("a negative volume limit", "controller:\n  metrics:\n    volumeLimit: -1\n",
            "'/controller/metrics/volumeLimit': minimum: got -1"),
        Arguments.of("StorageClass without fsName", "storageClasses:\n  - name: a\n    parameters:\n      ostSize: 1Ti\n",
            "fsName"),
        Arguments.of("StorageClass with an unknown lnet", "storageClasses:\n  - name: a\n    parameters:\n"
            + "      fsName: a\n      lnet: ib\n", "'/storageClasses/0/parameters/lnet': value must be one of 'tcp', 'o2ib', 'auto'"),
        Arguments.of("StorageClass parameter that is not a string",
            "storageClasses:\n  - name: a\n    parameters:\n      fsName: a\n      stripeCount: 4\n",
            "'/storageClasses/0/parameters/stripeCount': got number, want string"),
        Arguments.of("fsName longer than Lustre allows",
            "storageClasses:\n  - name: a\n    parameters:\n      fsName: waytoolongname\n",
            "'/storageClasses/0/parameters/fsName': 'waytoolongname' does not match pattern"),
        Arguments.of("external filesystem whose fsName is no object name",
            "externalFilesystems:\n  - fsName: Lfs_1\n    mgsNids: 10.0.0.1@tcp\n    agentAddress: mgmt:9443\n",
            "'/externalFilesystems/0/fsName': 'Lfs_1' does not match pattern"),
        Arguments.of("external filesystem without MGS NIDs", "externalFilesystems:\n  - fsName: lfs\n    agentAddress: mgmt:9443\n",
            "mgsNids"),
        Arguments.of("external filesystem agent without a port",
            "externalFilesystems:\n  - fsName: lfs\n    mgsNids: 10.0.0.1@tcp\n    agentAddress: mgmt\n",
            "'/externalFilesystems/0/agentAddress': 'mgmt' does not match pattern"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void refusesWithAMessageNamingTheValue(String label, String values, String named) throws IOException {
    Path file = Files.writeString(dir.resolve("bad.yaml"), values);
    assertThatThrownBy(() -> ChartRenderer.render(file, Map.of()))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  @Test
  void acceptsTheDefaultsAndEveryExample() {
    assertThatCode(ChartRenderer::renderDefaults).doesNotThrowAnyException();
    for (Path example : ValuesFiles.examples()) {
      assertThatCode(() -> ChartRenderer.render(example, Map.of())).as(example.getFileName().toString())
          .doesNotThrowAnyException();
    }
  }
}
