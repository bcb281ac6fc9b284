package dev.lustrecsi.sanity.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What was done to one request so far, and what may then answer it, judged on the finished
 * request. A field changed again answers for its last value only. One changed field gives a precise expectation; several leave
 * only "not OK if one of them must fail".
 */
final class Draft {
  private final List<String> changes = new ArrayList<>();
  private final Map<String, Supplier<Expect>> byField = new LinkedHashMap<>();
  private final Expect base;
  private boolean okWhatever;

  Draft(String base, Expect expect) {
    this.changes.add(base);
    this.base = expect;
  }

  void change(String field, String what, Expect after) {
    change(field, what, () -> after);
  }

  /** A change whose right answers depend on other fields too: judged once the request is complete. */
  void change(String field, String what, Supplier<Expect> after) {
    byField.put(field, after);
    changes.add(field + " " + what);
  }

  /**
   * A later change put the field back to a good value as a side effect (a new volume id brings its
   * own volume context): what an earlier change of it expected no longer holds.
   */
  void replaced(String field) {
    if (byField.remove(field) != null) {
      changes.add(field + " replaced by the new id's");
    }
  }

  /** The change just made lets the request be answered OK whatever else is wrong with it. */
  void okWhatever() {
    okWhatever = true;
  }

  Expect expect() {
    Expect expect = byField.values().stream().map(Supplier::get).reduce(Expect::and).orElse(base);
    return okWhatever ? new Expect(true, expect.codes(), expect.unconfirmed()) : expect;
  }

  String description() {
    return String.join("; ", changes);
  }
}
