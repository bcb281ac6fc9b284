package dev.lustrecsi.common.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MountOptionsTest {
  @Test
  void splitsLustreFromBindOptions() {
    MountOptions options = MountOptions.parse(List.of("noatime,flock", "ro", "user_xattr"), "mount_flags");
    assertThat(options.lustre()).containsExactly("flock", "user_xattr");
    assertThat(options.bind()).containsExactly("noatime", "ro");
    assertThat(options.readOnly()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"network=tcp1", "flock,network=tcp1", "exclude=fs1-OST0003", "remount", "bind", "rw,suid=1", "flock,", " ,ro",
      "context=system_u", "x-mount.mkdir", "noatime\t", "ro\n", "\rflock", "noatime\u0000"})
  void refusesAnythingOutsideTheAllowList(String flags) {
    assertThatThrownBy(() -> MountOptions.parse(List.of(flags), "volume_capability.mount.mount_flags"))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("volume_capability.mount.mount_flags");
        });
  }

  @Test
  void namesTheOffendingOption() {
    assertThatThrownBy(() -> MountOptions.parse(List.of("noatime,network=tcp1"), "f")).hasMessageContaining("\"network=tcp1\"")
        .hasMessageContaining("takes a value");
    assertThatThrownBy(() -> MountOptions.parse(List.of("flock", "mgsname=evil"), "f")).hasMessageStartingWith("f: ").hasMessageContaining("\"mgsname=evil\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"flock,localflock", "noflock,flock", "ro,rw"})
  void refusesContradictions(String flags) {
    assertThatThrownBy(() -> MountOptions.parse(List.of(flags), "f")).isInstanceOf(CsiException.class);
  }

  @Test
  void acceptsTheIssuesAllowList() {
    MountOptions options = MountOptions.parse(List.of("flock", "user_xattr,lazystatfs", "noatime", "ro", "nolruresize"), "f");
    assertThat(options.lustre()).containsExactly("flock", "user_xattr", "lazystatfs", "nolruresize");
    assertThat(options.bind()).containsExactly("noatime", "ro");
  }
}
