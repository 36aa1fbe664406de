// SPDX-License-Identifier: Apache-2.0
// ConfEntry -- one typed, documented, validated configuration key
package io.cellar.spark.conf;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.spark.network.util.JavaUtils;

/**
 * A configuration key of Cellar: its type, default, documentation, scope and checks. Entries are
 * declared once, in {@link CellarConf}, and everything else (parsing, validation, the generated
 * reference, the templates' test) reads them from there.
 *
 * @param <T> the value's type
 */
public final class ConfEntry<T> {
  /** When a value is read. */
  public enum Scope {
    /** From SparkConf when an executor's cache starts; changing it needs a restart. */
    STARTUP,
    /** From the session's SQL configuration each time a query is planned. */
    RUNTIME
  }

  private final String key;
  private final String doc;
  private final Scope scope;
  private final boolean internal;
  private final String typeName;
  private final Function<String, T> parser;
  private final Predicate<T> check;
  private final String allowed;
  private final T defaultValue;
  private final String defaultText;

  private ConfEntry(Builder b, Function<String, T> parser, String typeName, T defaultValue,
      String defaultText) {
    this.key = b.key;
    this.doc = b.doc;
    this.scope = b.scope;
    this.internal = b.internal;
    this.typeName = typeName;
    this.parser = parser;
    @SuppressWarnings("unchecked")
    Predicate<T> c = (Predicate<T>) b.check;
    this.check = c == null ? v -> true : c;
    this.allowed = b.allowed;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
  }

  public String key() {
    return key;
  }

  public String doc() {
    return doc;
  }

  public Scope scope() {
    return scope;
  }

  public boolean isInternal() {
    return internal;
  }

  public String typeName() {
    return typeName;
  }

  public String defaultText() {
    return defaultText;
  }

  public T defaultValue() {
    return defaultValue;
  }

  /** What a valid value looks like, for messages. */
  public String allowed() {
    return allowed != null ? allowed : typeName;
  }

  /**
   * Parses and checks a value.
   *
   * @throws IllegalArgumentException naming the key, the value and what is allowed
   */
  public T parse(String raw) {
    T v;
    try {
      v = parser.apply(raw.trim());
    } catch (RuntimeException e) {
      throw invalid(raw, e.getMessage());
    }
    boolean ok;
    try {
      ok = check.test(v);
    } catch (RuntimeException e) {
      throw invalid(raw, e.getMessage());
    }
    if (!ok) {
      throw invalid(raw, null);
    }
    return v;
  }

  private IllegalArgumentException invalid(String raw, String why) {
    return new IllegalArgumentException(
        key + "=" + raw + " is not valid: allowed is " + allowed() + (why == null ? "" : " (" + why
            + ")"));
  }

  /** The value in a map of settings, or the default. */
  public T from(Map<String, String> settings) {
    String raw = settings.get(key);
    return raw == null ? defaultValue : parse(raw);
  }

  /** The value given a lookup (such as {@code SQLConf::getConfString}), or the default. */
  public T from(Function<String, String> lookup) {
    String raw = lookup.apply(key);
    return raw == null ? defaultValue : parse(raw);
  }

  static Builder conf(String key) {
    return new Builder(key);
  }

  /** Declares an entry; finish with one of the typed terminal methods. */
  static final class Builder {
    private final String key;
    private String doc = "";
    private Scope scope = Scope.RUNTIME;
    private boolean internal;
    private Predicate<?> check;
    private String allowed;

    private Builder(String key) {
      this.key = key;
    }

    Builder doc(String text) {
      this.doc = text;
      return this;
    }

    Builder startup() {
      this.scope = Scope.STARTUP;
      return this;
    }

    Builder internal() {
      this.internal = true;
      return this;
    }

    <T> Builder check(Predicate<T> p, String allowedText) {
      this.check = p;
      this.allowed = allowedText;
      return this;
    }

    ConfEntry<Boolean> booleanConf(boolean dflt) {
      if (allowed == null) {
        allowed = "true or false";
      }
      return new ConfEntry<>(this, ConfEntry::parseBoolean, "boolean", dflt,
          Boolean.toString(dflt));
    }

    ConfEntry<Long> bytesConf(String dflt) {
      if (allowed == null) {
        allowed = "a size such as 512k, 64m or 2g";
      }
      return new ConfEntry<>(this, JavaUtils::byteStringAsBytes, "size", 
          JavaUtils.byteStringAsBytes(dflt), dflt);
    }

    ConfEntry<Long> timeMsConf(String dflt) {
      if (allowed == null) {
        allowed = "a duration such as 100ms or 2s";
      }
      return new ConfEntry<>(this, JavaUtils::timeStringAsMs, "duration",
          JavaUtils.timeStringAsMs(dflt), dflt);
    }

    ConfEntry<Integer> intConf(int dflt) {
      if (allowed == null) {
        allowed = "an integer";
      }
      return new ConfEntry<>(this, Integer::parseInt, "int", dflt, Integer.toString(dflt));
    }

    ConfEntry<Double> doubleConf(double dflt) {
      if (allowed == null) {
        allowed = "a number";
      }
      return new ConfEntry<>(this, Double::parseDouble, "double", dflt, Double.toString(dflt));
    }

    ConfEntry<String> stringConf(String dflt) {
      if (allowed == null) {
        allowed = "a string";
      }
      return new ConfEntry<>(this, s -> s, "string", dflt, dflt.isEmpty() ? "(empty)" : dflt);
    }

    <E extends Enum<E>> ConfEntry<E> enumConf(Class<E> type, E dflt) {
      StringBuilder names = new StringBuilder();
      for (E e : type.getEnumConstants()) {
        names.append(names.length() == 0 ? "" : ", ").append(e.name());
      }
      if (allowed == null) {
        allowed = "one of " + names;
      }
      return new ConfEntry<>(this, s -> Enum.valueOf(type, s.toUpperCase(Locale.ROOT)),
          "enum", dflt, dflt.name());
    }
  }

  private static Boolean parseBoolean(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new IllegalArgumentException("not a boolean");
    }
  }
}
