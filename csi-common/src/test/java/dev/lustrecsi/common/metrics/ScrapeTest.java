package dev.lustrecsi.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text format's special values parse: a gauge may legitimately be infinite or NaN. */
class ScrapeTest {
  @Test
  void infinitiesAndNanAreValues() {
    Scrape scrape = Scrape.parse("""
        # TYPE limit gauge
        limit{filesystem="a"} +Inf
        limit{filesystem="b"} -Inf
        limit{filesystem="c"} NaN
        limit{filesystem="d"} 3.0E10
        """);

    assertThat(scrape.value("limit", Map.of("filesystem", "a"))).contains(Double.POSITIVE_INFINITY);
    assertThat(scrape.value("limit", Map.of("filesystem", "b"))).contains(Double.NEGATIVE_INFINITY);
    assertThat(scrape.value("limit", Map.of("filesystem", "c"))).hasValueSatisfying(v -> assertThat(v).isNaN());
    assertThat(scrape.value("limit", Map.of("filesystem", "d"))).contains(3.0e10);
  }
}
