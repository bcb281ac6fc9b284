package dev.lustrecsi.common.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import io.grpc.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RequestFieldsTest {
  @ParameterizedTest
  @ValueSource(strings = {"\0", "a\0b", "fs1/pvc\n", "fs1/\u001b[2J", "tab\there", "del\u007f", "bidi\u202e", "\u2028"})
  void anIdWithAControlCharacterIsACallersMistake(String id) {
    assertThatThrownBy(() -> RequestFields.id(id, "volume_id"))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("volume_id: ").contains("control character").doesNotContain("\0", "\n", "\u001b");
        });
  }

  @Test
  void anIdIsRequiredAndAt128BytesAtMost() {
    assertThatThrownBy(() -> RequestFields.id("", "name")).hasMessage("name: is required");
    assertThatThrownBy(() -> RequestFields.id("n".repeat(129), "name")).hasMessage("name: is 129 bytes; at most 128 are allowed");
    assertThat(RequestFields.id("static:lab ✓", "volume_id")).isEqualTo("static:lab ✓");
    assertThat(RequestFields.optional("", "starting_token")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/var/lib/kubelet/\0", "\0", "a\0b", "/var/lib/kubelet/x\ny", "/k/\r"})
  void aPathWithANulOrControlCharacterIsRefusedBeforeItBecomesAPath(String path) {
    assertThatThrownBy(() -> RequestFields.path(path, "volume_path"))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("volume_path: ");
        });
  }

  @Test
  void aPathComponentLongerThanNameMaxIsRefused() {
    assertThat(RequestFields.path("/k/" + "c".repeat(255), "target_path")).endsWith("c");
    assertThatThrownBy(() -> RequestFields.path("/k/" + "c".repeat(256), "target_path"))
        .hasMessage("target_path: has a component longer than 255 bytes");
  }
}
