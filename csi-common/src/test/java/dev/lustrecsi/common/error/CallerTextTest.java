package dev.lustrecsi.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallerTextTest {
  @Test
  void quotesWithEveryUnsafeCharacterEscaped() {
    assertThat(CallerText.quote("fs1/pvc-1")).isEqualTo("\"fs1/pvc-1\"");
    assertThat(CallerText.quote("a\nb\rc\td\0e\u001b[31mf\u007f")).isEqualTo("\"a\\nb\\rc\\td\\x00e\\x1b[31mf\\x7f\"");
    assertThat(CallerText.quote("say \"hi\" \\o/")).isEqualTo("\"say \\\"hi\\\" \\\\o/\"");
    assertThat(CallerText.quote("left\u202eright\u2028next\u0085")).isEqualTo("\"left\\u202eright\\u2028next\\x85\"");
    assertThat(CallerText.quote("lone \ud800 half")).isEqualTo("\"lone \\ud800 half\"");
    assertThat(CallerText.quote("ünïcode ok ✓")).isEqualTo("\"ünïcode ok ✓\"");
  }

  @Test
  void quotesOnlyAShortPrefixOfALongValue() {
    String quoted = CallerText.quote("x".repeat(64 * 1024));
    assertThat(quoted).startsWith("\"" + "x".repeat(CallerText.MAX_SHOWN) + "\"").endsWith("... (65536 characters)");
    assertThat(quoted.length()).isLessThan(CallerText.MAX_SHOWN + 40);
  }

  @Test
  void neverCutsASurrogatePairInHalf() {
    String value = "x".repeat(CallerText.MAX_SHOWN - 1) + "😀" + "tail";
    assertThat(CallerText.quote(value)).doesNotContain("\\ud83d").startsWith("\"" + "x".repeat(CallerText.MAX_SHOWN - 1) + "\"");
  }

  @Test
  void printableEscapesControlsAndLeavesTheRest() {
    assertThat(CallerText.printable("volume \"a\\b\" gone")).isEqualTo("volume \"a\\b\" gone");
    assertThat(CallerText.printable("line\nforged INFO")).isEqualTo("line\\nforged INFO");
    assertThat(CallerText.isPrintable("line\nforged")).isFalse();
    assertThat(CallerText.isPrintable("plain ✓")).isTrue();
  }

  @Test
  void printableWithinABudgetOfBytes() {
    String cut = CallerText.printable("é".repeat(5000), 2000);
    assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2000);
    assertThat(cut).endsWith("...");
    assertThat(CallerText.printable("short", 2000)).isEqualTo("short");
  }
}
