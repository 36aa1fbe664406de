// SPDX-License-Identifier: Apache-2.0
// OptionList -- a comma-separated option value as a list of an enum's constants, by label
package io.cellar.it.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Parses options such as {@code --storage s3,local} into enum constants. */
final class OptionList {
  private OptionList() {}

  /**
   * The constants a comma-separated list names (by label, case-insensitive), in its order,
   * each once.
   *
   * @param noun what a constant is called in messages ("storage", "format")
   * @param option the option's name, for the message when the list names nothing
   * @throws IllegalArgumentException naming an unknown label and the allowed ones
   */
  static <E extends Enum<E>> List<E> parse(String text, E[] values, Function<E, String> label,
      String noun, String option) {
    String allowed = Stream.of(values).map(label).collect(Collectors.joining(", "));
    List<E> r = new ArrayList<>();
    for (String s : text.split(",")) {
      String l = s.trim().toLowerCase(Locale.ROOT);
      if (l.isEmpty()) {
        continue;
      }
      E found = Stream.of(values).filter(v -> label.apply(v).equals(l)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(
              "unknown " + noun + " '" + s + "'; one of " + allowed));
      if (!r.contains(found)) {
        r.add(found);
      }
    }
    if (r.isEmpty()) {
      throw new IllegalArgumentException("--" + option + " names no " + noun + "; one of "
          + allowed);
    }
    return r;
  }
}
