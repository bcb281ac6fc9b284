package dev.lustrecsi.controller.parameters;

import dev.lustrecsi.common.volume.DirectoryAccess;
import dev.lustrecsi.common.volume.FsName;
import dev.lustrecsi.common.volume.StripingRules;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * How the value of one kind of StorageClass parameter is written. Every parameter of a kind
 * shares its grammar, and every grammar is strict: no surrounding spaces, no {@code +}, no
 * leading zeros, units in the case shown, nothing a parser might guess at. The rule is what the
 * docs table shows and what a refused value's message quotes.
 *
 * @param rule the grammar in words, Markdown
 * @param accepts whether a value is written in it
 */
public record ValueGrammar(String rule, Predicate<String> accepts) {
  public static final ValueGrammar QUANTITY = matching(
      "a size: digits and an optional binary unit `K`, `M`, `G`, `T` or `P`, also written `Ki` or `KiB` and so on",
      "(0|[1-9][0-9]{0,18})([KMGTP](i|iB)?)?");

  public static final ValueGrammar COUNT = matching(
      "a whole number: digits, `-` before a negative one",
      "-?(0|[1-9][0-9]{0,8})");

  public static final ValueGrammar DECIMAL = matching(
      "a decimal number: digits, optionally `.` and more digits",
      "(0|[1-9][0-9]{0,8})(\\.[0-9]{1,9})?");

  /** Octal, written with its leading zero as chmod takes it; four digits, so no bit beyond 07777. */
  public static final ValueGrammar OCTAL_MODE = matching(DirectoryAccess.MODE_RULE, "[0-7]{4}");

  /** Digits only: a user or group name would mean nothing on the servers, which know no names of the pods' users. */
  public static final ValueGrammar NUMERIC_ID = matching(DirectoryAccess.ID_RULE, "(0|[1-9][0-9]{0,9})");

  public static final ValueGrammar FS_NAME = new ValueGrammar(FsName.RULE, FsName::isLegal);

  public static final ValueGrammar POOL_NAME = new ValueGrammar(StripingRules.POOL_RULE, pool -> StripingRules.poolProblem(pool) == null);

  public static final ValueGrammar KUBERNETES_NAME = new ValueGrammar(
      "a Kubernetes name: at most 253 lower-case letters, digits, `-` and `.`, each `.`-separated part starting and ending with"
          + " a letter or digit",
      ((Predicate<String>) name -> name.length() <= 253).and(matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")));

  public static final ValueGrammar NAMESPACED_NAME = new ValueGrammar(
      "`name` or `namespace/name`: each at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit",
      matches("([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"));

  public static final ValueGrammar IMAGE_REFERENCE = new ValueGrammar(
      "an image reference: `[registry[:port]/]repository[:tag][@sha256:digest]`, the repository in lower case, at most 512 characters",
      ImageReference::isValid);

  public static final ValueGrammar IPV4_CIDR = matching(
      "an IPv4 CIDR such as `10.1.0.0/24`",
      "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])");

  public static final ValueGrammar NETWORK_LIST = new ValueGrammar(
      "`tcp`, `o2ib` or both, separated by a comma, each once",
      matches("(tcp|o2ib)(,(tcp|o2ib))*").and(ValueGrammar::eachOnce));

  /** Exactly one of a few words, in the case shown. */
  public static ValueGrammar oneOf(String... words) {
    List<String> allowed = List.of(words);
    return new ValueGrammar("one of " + String.join(", ", allowed.stream().map(w -> "`" + w + "`").toList()), allowed::contains);
  }

  /** The rule in plain words, for a message. */
  public String plainRule() {
    return rule.replace("`", "");
  }

  private static ValueGrammar matching(String rule, String regex) {
    return new ValueGrammar(rule, matches(regex));
  }

  private static Predicate<String> matches(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return value -> pattern.matcher(value).matches();
  }

  private static boolean eachOnce(String list) {
    String[] items = list.split(",");
    return new HashSet<>(Arrays.asList(items)).size() == items.length;
  }
}
