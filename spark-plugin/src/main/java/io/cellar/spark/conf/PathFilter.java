// SPDX-License-Identifier: Apache-2.0
// PathFilter -- which tables' paths a session caches: include and exclude glob patterns
package io.cellar.spark.conf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The path patterns of {@code spark.cellar.cache.include-paths} and {@code
 * spark.cellar.cache.exclude-paths}: comma-separated globs as Hadoop writes them ({@code *} and
 * {@code ?} within one path segment, {@code [abc]}, {@code [!abc]}, {@code {a,b}}, and {@code \}
 * before a character that stands for itself; a comma inside braces belongs to them). A pattern matches a path when it matches the path or one of its parent
 * directories, with its scheme and authority or without them ({@code /data/raw} matches {@code
 * hdfs://nn/data/raw/t}). A relation is cached when every root path it reads is included (all
 * are when no include pattern is set) and none is excluded.
 */
public final class PathFilter {
  private static final PathFilter ALL = new PathFilter(List.of(), List.of());

  private final List<Pattern> include;
  private final List<Pattern> exclude;

  private PathFilter(List<Pattern> include, List<Pattern> exclude) {
    this.include = include;
    this.exclude = exclude;
  }

  /** The filter of a session's settings. */
  public static PathFilter of(Function<String, String> conf) {
    String in = CellarConf.INCLUDE_PATHS.from(conf);
    String ex = CellarConf.EXCLUDE_PATHS.from(conf);
    if (in.isBlank() && ex.isBlank()) {
      return ALL;
    }
    return new PathFilter(compile(in), compile(ex));
  }

  /**
   * The patterns of a setting.
   *
   * @throws IllegalArgumentException for a pattern that is not a valid glob, naming it
   */
  static List<Pattern> compile(String list) {
    List<Pattern> out = new ArrayList<>();
    for (String g : split(list)) {
      String t = g.trim();
      if (!t.isEmpty()) {
        out.add(glob(stripSlash(t)));
      }
    }
    return out;
  }

  /** The patterns of a list: split at commas outside braces. */
  private static List<String> split(String list) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && depth > 0) {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(list.substring(start, i));
        start = i + 1;
      }
    }
    out.add(list.substring(start));
    return out;
  }

  /**
   * A glob as a regular expression.
   *
   * @throws IllegalArgumentException for an unclosed bracket or brace, naming the pattern
   */
  static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        case '{' -> {
          re.append("(?:");
          depth++;
        }
        case '}' -> {
          if (depth > 0) {
            re.append(')');
            depth--;
          } else {
            re.append("\\}");
          }
        }
        case ',' -> re.append(depth > 0 ? "|" : ",");
        case '[' -> {
          int end = g.indexOf(']', i + 2);
          if (end < 0) {
            throw new IllegalArgumentException("'" + g + "' is not a glob pattern: the '[' at"
                + " position " + (i + 1) + " is not closed");
          }
          String set = g.substring(i + 1, end);
          boolean negate = set.startsWith("!") || set.startsWith("^");
          re.append('[').append(negate ? "^/" : "");
          for (char s : (negate ? set.substring(1) : set).toCharArray()) {
            re.append(s == '\\' || s == '[' || s == ']' || s == '&' ? "\\" + s : s);
          }
          re.append(']');
          i = end;
        }
        case '\\' -> {
          if (i + 1 < g.length()) {
            re.append(Pattern.quote(String.valueOf(g.charAt(++i))));
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    if (depth != 0) {
      throw new IllegalArgumentException("'" + g + "' is not a glob pattern: a '{' is not"
          + " closed");
    }
    return Pattern.compile(re.toString());
  }

  /** Whether a setting is a valid list of patterns. */
  static boolean valid(String list) {
    try {
      compile(list);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether a relation of these root paths is cached. */
  public boolean allows(Collection<String> rootPaths) {
    if (this == ALL) {
      return true;
    }
    for (String p : rootPaths) {
      if ((!include.isEmpty() && !matchesAny(include, p)) || matchesAny(exclude, p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matchesAny(List<Pattern> patterns, String path) {
    for (String q = stripSlash(path); q != null; q = parent(q)) {
      String bare = withoutAuthority(q);
      for (Pattern p : patterns) {
        if (p.matcher(q).matches() || (bare != null && p.matcher(bare).matches())) {
          return true;
        }
      }
    }
    return false;
  }

  private static String stripSlash(String p) {
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** The parent directory, or null at the root. */
  private static String parent(String p) {
    int slash = p.lastIndexOf('/');
    if (slash <= 0 || p.substring(0, slash).endsWith(":") || p.substring(0, slash).endsWith("/")) {
      return null;
    }
    return p.substring(0, slash);
  }

  /** The path without its scheme and authority ({@code /a/b} of {@code s3a://b/a/b}), or null. */
  private static String withoutAuthority(String p) {
    int colon = p.indexOf(':');
    if (colon < 0 || p.indexOf('/') < colon) {
      return null;
    }
    String rest = p.substring(colon + 1);
    if (rest.startsWith("//")) {
      int slash = rest.indexOf('/', 2);
      return slash < 0 ? null : rest.substring(slash);
    }
    return rest;
  }
}
