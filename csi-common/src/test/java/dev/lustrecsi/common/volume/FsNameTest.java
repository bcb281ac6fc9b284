package dev.lustrecsi.common.volume;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FsNameTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "fs1", "scratch_", "home-01", "ABCDEFGH"})
  void acceptsLegalNames(String name) {
    assertThat(FsName.isLegal(name)).isTrue();
    assertThat(FsName.problem(name)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ninechars", "fs.1", "fs/1", "fs 1", "fs:1", "ü"})
  void rejectsIllegalNames(String name) {
    assertThat(FsName.isLegal(name)).isFalse();
    assertThat(FsName.problem(name)).isNotNull();
  }

  @Test
  void explainsLength() {
    assertThat(FsName.problem("toolongname")).contains("at most 8");
  }
}
