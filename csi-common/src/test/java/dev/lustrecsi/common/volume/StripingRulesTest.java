package dev.lustrecsi.common.volume;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StripingRulesTest {
  @Test
  void countIsAllOstsOrOneTo2000() {
    assertThat(StripingRules.countProblem(-1)).isNull();
    assertThat(StripingRules.countProblem(1)).isNull();
    assertThat(StripingRules.countProblem(2000)).isNull();
    assertThat(StripingRules.countProblem(0)).contains("-1 (every OST) or 1 to 2000");
    assertThat(StripingRules.countProblem(-2)).isNotNull();
    assertThat(StripingRules.countProblem(2001)).isNotNull();
  }

  @Test
  void sizeIsAMultipleOf64KiBBelow4GiB() {
    assertThat(StripingRules.sizeProblem(64 * Sizes.KIB)).isNull();
    assertThat(StripingRules.sizeProblem(4 * Sizes.MIB)).isNull();
    assertThat(StripingRules.sizeProblem(4 * Sizes.GIB - 64 * Sizes.KIB)).isNull();
    assertThat(StripingRules.sizeProblem(4 * Sizes.GIB)).as("lfs setstripe refuses 4G: the field is 32 bits").isNotNull();
    assertThat(StripingRules.sizeProblem(100 * Sizes.KIB)).isNotNull();
    assertThat(StripingRules.sizeProblem(0)).isNotNull();
    assertThat(StripingRules.sizeProblem(-64 * Sizes.KIB)).isNotNull();
  }

  @Test
  void poolIsAShortNameStartingWithALetterOrDigit() {
    assertThat(StripingRules.poolProblem("")).as("no pool").isNull();
    assertThat(StripingRules.poolProblem("flash")).isNull();
    assertThat(StripingRules.poolProblem("ssd.tier_1-a")).isNull();
    assertThat(StripingRules.poolProblem("fifteen-chars-x")).isNull();
    assertThat(StripingRules.poolProblem("sixteen-chars-xx")).isNotNull();
    assertThat(StripingRules.poolProblem("..")).isNotNull();
    assertThat(StripingRules.poolProblem(".")).isNotNull();
    assertThat(StripingRules.poolProblem("-p")).isNotNull();
    assertThat(StripingRules.poolProblem("a/b")).isNotNull();
    assertThat(StripingRules.poolProblem("a\nb")).doesNotContain("\n");
  }
}
