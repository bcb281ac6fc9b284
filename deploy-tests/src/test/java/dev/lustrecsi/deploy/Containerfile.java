package dev.lustrecsi.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parts of a Containerfile the tests check: what it copies in, and which build contexts it mounts. */
record Containerfile(Path file, List<String> copiedSources, List<String> mountedContexts) {
  private static final Pattern MOUNT_FROM = Pattern.compile("--mount=type=bind,from=([A-Za-z0-9_.-]+)");

  static Containerfile read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> sources = new ArrayList<>();
    List<String> contexts = new ArrayList<>();
    for (String instruction : instructions(text)) {
      String[] words = instruction.split("\\s+");
      String keyword = words[0].toUpperCase();
      if (keyword.equals("COPY") || keyword.equals("ADD")) {
        List<String> operands = Arrays.stream(words).skip(1).filter(w -> !w.startsWith("--")).toList();
        boolean fromStage = Arrays.stream(words).anyMatch(w -> w.startsWith("--from="));
        if (operands.size() < 2 || operands.getFirst().startsWith("[")) {
          throw new IllegalArgumentException(file.getFileName() + ": cannot read `" + instruction + "`");
        }
        if (!fromStage) {
          sources.addAll(operands.subList(0, operands.size() - 1));
        }
      }
      Matcher mount = MOUNT_FROM.matcher(instruction);
      while (mount.find()) {
        contexts.add(mount.group(1));
      }
    }
    return new Containerfile(file, List.copyOf(sources), List.copyOf(contexts));
  }

  /** Instructions with comments dropped and backslash continuations joined. */
  private static List<String> instructions(String text) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || stripped.isEmpty()) {
        continue;
      }
      boolean continues = stripped.endsWith("\\");
      current.append(continues ? stripped.substring(0, stripped.length() - 1) : stripped).append(' ');
      if (!continues) {
        instructions.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.isEmpty()) {
      instructions.add(current.toString().strip());
    }
    return instructions;
  }
}
