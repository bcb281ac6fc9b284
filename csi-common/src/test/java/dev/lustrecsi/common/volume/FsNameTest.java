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
  @ValueSource(strings = {"", "ninechars", "fs.1", "fs/1", "fs 1", "fs:1", "ü", "-", "-h", "_fs", "fs\n", "fs\u0000"})
  void rejectsIllegalNames(String name) {
    assertThat(FsName.isLegal(name)).isFalse();
    assertThat(FsName.problem(name)).isNotNull();
  }

  @Test
  void aNameThatCouldReadAsAnOptionIsRefusedSayingWhy() {
    assertThat(FsName.problem("-h")).isEqualTo("\"-h\" is not 1 to 8 characters of letters, digits, '_' and '-', the first a letter or digit");
  }

  @Test
  void explainsLength() {
    assertThat(FsName.problem("toolongname")).contains("at most 8");
  }
}
