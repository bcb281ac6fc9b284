package dev.lustrecsi.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The pages a reader follows (README.md and docs/*.md), split into what the docs-agree-with-code
 * tests read: the command lines of fenced blocks and the inline code spans of the prose.
 */
record UserDocs(List<Page> pages) {
  /**
   * Left out: benchmarks.md records what was measured and how, run by its own scripts at the
   * time; its command lines are a record, not instructions.
   */
  static final String RECORD_OF_MEASUREMENTS = "benchmarks.md";

  private static final Pattern FENCE = Pattern.compile("^\\s*```(\\w*)");
  private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");

  /** One page: where it is, its fenced blocks, and each line of prose with the code spans on it. */
  record Page(String name, List<Block> blocks, List<String> proseLines) {
    /** The whole page: its prose and its blocks. */
    String text() {
      StringBuilder text = new StringBuilder(String.join("\n", proseLines));
      blocks.forEach(block -> text.append('\n').append(block.text()));
      return text.toString();
    }

    /** Every inline code span of the prose, each with the line it is on. */
    List<Span> spans() {
      List<Span> spans = new ArrayList<>();
      for (String line : proseLines) {
        Matcher span = CODE_SPAN.matcher(line);
        while (span.find()) {
          spans.add(new Span(span.group(1), line));
        }
      }
      return spans;
    }

    /** The command lines of the fenced blocks, a line ending in a backslash joined to the next. */
    List<String> commandLines() {
      List<String> commands = new ArrayList<>();
      for (Block block : blocks) {
        StringBuilder command = new StringBuilder();
        for (String line : block.text().split("\n", -1)) {
          if (line.endsWith("\\")) {
            command.append(line, 0, line.length() - 1).append(' ');
            continue;
          }
          commands.add(command.append(line).toString());
          command.setLength(0);
        }
      }
      return commands;
    }
  }

  record Block(String language, String text) {}

  record Span(String text, String line) {}

  static UserDocs read() {
    List<Path> files = new ArrayList<>();
    files.add(RepoLayout.root().resolve("README.md"));
    try (Stream<Path> docs = Files.list(RepoLayout.root().resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md") && !p.getFileName().toString().equals(RECORD_OF_MEASUREMENTS))
          .sorted().forEach(files::add);
      List<Page> pages = new ArrayList<>();
      for (Path file : files) {
        pages.add(parse(RepoLayout.root().relativize(file).toString(), Files.readString(file)));
      }
      return new UserDocs(pages);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Page parse(String name, String markdown) {
    List<Block> blocks = new ArrayList<>();
    List<String> prose = new ArrayList<>();
    String language = null;
    StringBuilder block = new StringBuilder();
    for (String line : markdown.split("\n", -1)) {
      Matcher fence = FENCE.matcher(line);
      if (fence.find()) {
        if (language == null) {
          language = fence.group(1);
        } else {
          blocks.add(new Block(language, block.toString().stripTrailing()));
          block.setLength(0);
          language = null;
        }
      } else if (language != null) {
        block.append(line).append('\n');
      } else {
        prose.add(line);
      }
    }
    return new Page(name, blocks, prose);
  }
}
