package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The docs site is plain Markdown read on a code host: every relative link and anchor must resolve. */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+)$", Pattern.MULTILINE);

  /**
   * Links to pages that do not exist yet, as `page -> target`. Only shrinks: the benchmarks page
   * is written together with its measured numbers (bin/benchmarks produces them).
   */
  static final Set<String> KNOWN_MISSING = Set.of();

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(RepoLayout.root().resolve("README.md"));
    try (Stream<Path> docs = Files.list(RepoLayout.root().resolve("docs"))) {
      pages.addAll(docs.filter(p -> p.toString().endsWith(".md")).sorted().toList());
    }
    pages.add(RepoLayout.images().resolve("server-vm/README.md"));
    List<String> broken = new ArrayList<>();
    Set<String> stillMissing = new HashSet<>();
    for (Path page : pages) {
      String pageName = RepoLayout.root().relativize(page).toString();
      Matcher link = LINK.matcher(withoutCodeBlocks(Files.readString(page)));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // https:, mailto: and the like
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : "";
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          if (KNOWN_MISSING.contains(pageName + " -> " + target)) {
            stillMissing.add(pageName + " -> " + target);
          } else {
            broken.add(pageName + " -> " + target + " (no such file)");
          }
        } else if (!anchor.isEmpty() && !anchors(resolved).contains(anchor)) {
          broken.add(pageName + " -> " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).isEmpty();
    assertThat(stillMissing).as("KNOWN_MISSING entries that resolve now: remove them")
        .containsExactlyInAnyOrderElementsOf(KNOWN_MISSING);
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  static Set<String> anchors(Path page) throws IOException {
    Set<String> anchors = new HashSet<>();
    Matcher heading = HEADING.matcher(withoutCodeBlocks(Files.readString(page)));
    while (heading.find()) {
      anchors.add(heading.group(1).strip().toLowerCase().replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
    }
    return anchors;
  }

  private static String withoutCodeBlocks(String markdown) {
    return markdown.replaceAll("(?s)```.*?```", "");
  }
}
