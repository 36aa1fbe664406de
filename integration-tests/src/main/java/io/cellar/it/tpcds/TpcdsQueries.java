// SPDX-License-Identifier: Apache-2.0
// TpcdsQueries -- the TPC-DS v1.4 queries of Spark's spark-sql test jar, by name
package io.cellar.it.tpcds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The TPC-DS queries Spark tests itself with: the {@code tpcds/q*.sql} resources of the
 * {@code spark-sql} test jar (the v1.4 set, 103 queries counting the a/b variants), named by file
 * without the extension ({@code q1} ... {@code q99}, {@code q14a}, {@code q14b}). Thread-safe.
 */
public final class TpcdsQueries {
  /** Where the queries are on the class path. */
  public static final String RESOURCE_DIR = "tpcds/";

  /**
   * Queries whose ORDER BY has ties, so that the order of their rows is not defined; Spark's
   * TPCDSQueryTestSuite compares them as sorted rows.
   */
  public static final Set<String> TIES =
      Set.of("q4", "q34", "q41", "q44", "q49", "q64", "q65", "q73", "q74", "q84");

  /** The nine I/O-heavy queries of the benchmark target. */
  public static final List<String> IO9 =
      List.of("q26", "q27", "q32", "q42", "q48", "q53", "q55", "q68", "q76");

  private static final Pattern NAME = Pattern.compile("q(\\d+)([a-z]?)");
  private static final Pattern LINE_COMMENT = Pattern.compile("--[^\\n]*");

  private TpcdsQueries() {}

  /** Every query name, in numeric order (q1, q2, ..., q14a, q14b, ..., q99). */
  public static List<String> names() {
    URL dir = loader().getResource(RESOURCE_DIR + "q1.sql");
    if (dir == null) {
      throw new IllegalStateException("no " + RESOURCE_DIR + "q1.sql on the class path: the"
          + " spark-sql test jar (classifier tests) is missing");
    }
    Set<String> names = new TreeSet<>(TpcdsQueries::compareNames);
    try {
      if ("jar".equals(dir.getProtocol())) {
        URLConnection c = dir.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = ((JarURLConnection) c).getJarFile()) {
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            addName(names, entries.nextElement().getName());
          }
        }
      } else {
        Path d = Path.of(dir.toURI()).getParent();
        try (Stream<Path> s = Files.list(d)) {
          s.forEach(p -> addName(names, RESOURCE_DIR + p.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return new ArrayList<>(names);
  }

  private static void addName(Set<String> names, String entry) {
    if (entry.startsWith(RESOURCE_DIR) && entry.endsWith(".sql")) {
      String n = entry.substring(RESOURCE_DIR.length(), entry.length() - 4);
      if (NAME.matcher(n).matches()) {
        names.add(n);
      }
    }
  }

  /** Orders q2 before q10 and q14a before q14b. */
  static int compareNames(String a, String b) {
    Matcher ma = NAME.matcher(a);
    Matcher mb = NAME.matcher(b);
    if (!ma.matches() || !mb.matches()) {
      return a.compareTo(b);
    }
    return Comparator.<Matcher>comparingInt(m -> Integer.parseInt(m.group(1)))
        .thenComparing(m -> m.group(2))
        .compare(ma, mb);
  }

  /**
   * The SQL text of a query.
   *
   * @throws IllegalArgumentException if there is no such query
   */
  public static String sql(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a TPC-DS query name: " + name);
    }
    try (InputStream in = loader().getResourceAsStream(RESOURCE_DIR + name + ".sql")) {
      if (in == null) {
        throw new IllegalArgumentException("no TPC-DS query " + name + " in " + RESOURCE_DIR);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The TPC-DS tables a query names (by word match on its text without comments), sorted.
   *
   * @param sql the query
   * @param tables the candidate table names
   */
  public static Set<String> tablesOf(String sql, Iterable<String> tables) {
    String text = LINE_COMMENT.matcher(sql).replaceAll(" ").toLowerCase(java.util.Locale.ROOT);
    Set<String> found = new TreeSet<>();
    for (String t : tables) {
      if (Pattern.compile("\\b" + Pattern.quote(t) + "\\b").matcher(text).find()) {
        found.add(t);
      }
    }
    return found;
  }

  private static ClassLoader loader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : TpcdsQueries.class.getClassLoader();
  }
}
