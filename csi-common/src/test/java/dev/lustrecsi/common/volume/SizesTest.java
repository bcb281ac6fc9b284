package dev.lustrecsi.common.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
  @ParameterizedTest
  @CsvSource({"4M,4194304", "4Mi,4194304", "4MiB,4194304", "4m,4194304", "64K,65536", "512ki,524288", "1Ti,1099511627776",
      "1G,1073741824", "100,100", "100b,100", "2P,2251799813685248"})
  void parsesBinaryUnits(String text, long bytes) {
    assertThat(Sizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "-1G", "1.5G", "1 GB extra", "1X", "99999999999999999999", "9999999999P", "4MB", "1TB", "10GB"})
  void rejectsWhatIsNotASize(String text) {
    assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"0,0 B", "1023,1023 B", "1024,1 KiB", "1572864,1.5 MiB", "1073741824,1 GiB"})
  void formatsForPeople(long bytes, String text) {
    assertThat(Sizes.format(bytes)).isEqualTo(text);
  }
}
