package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

class HelmLintTest {
  @Test
  void chartPassesStrictLint() {
    LintResult result = new Helm(RepoLayout.chart()).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).as("lint messages")
        .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
  }
}
