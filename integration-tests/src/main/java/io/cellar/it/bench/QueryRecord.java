// SPDX-License-Identifier: Apache-2.0
// QueryRecord -- what one query measured in one mode, as a tab-separated line between JVMs
package io.cellar.it.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The measurements of one query in one mode.
 *
 * @param mode the mode's label
 * @param query the query's name
 * @param coldMs time of the first run after the mode was set up
 * @param warmMs times of the warm runs, in run order
 * @param rows rows returned
 * @param checksum hash of the sorted canonical rows of the cold run
 * @param stable whether every warm run returned the cold run's rows
 * @param coldHits Cellar chunks served from the cache in the cold run
 * @param coldMisses Cellar chunk lookups that missed in the cold run
 * @param coldAdded Cellar chunks added in the cold run
 * @param warmHits chunks served from the cache, summed over the warm runs
 * @param warmMisses lookups that missed, summed over the warm runs
 * @param warmAdded chunks added, summed over the warm runs
 * @param coldRequests requests to the object store in the cold run (none off S3)
 * @param warmRequests requests to the object store, summed over the warm runs
 * @param error why the query failed, or empty
 */
public record QueryRecord(
    String mode,
    String query,
    double coldMs,
    double[] warmMs,
    long rows,
    String checksum,
    boolean stable,
    long coldHits,
    long coldMisses,
    long coldAdded,
    long warmHits,
    long warmMisses,
    long warmAdded,
    Requests coldRequests,
    Requests warmRequests,
    String error) {
  private static final int FIELDS = 20;

  /**
   * GET, HEAD and LIST requests that S3A sent to the object store.
   *
   * @param get GET requests (ranged or not)
   * @param head HEAD requests
   * @param list LIST requests
   */
  public record Requests(long get, long head, long list) {
    public static final Requests NONE = new Requests(0, 0, 0);

    public Requests plus(Requests o) {
      return new Requests(get + o.get, head + o.head, list + o.list);
    }

    /** Whether any request was counted. */
    public boolean any() {
      return get != 0 || head != 0 || list != 0;
    }
  }

  /** Median of the warm runs; the cold time when there were none. */
  public double warmMedianMs() {
    if (warmMs.length == 0) {
      return coldMs;
    }
    double[] s = warmMs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Whether the query returned results (in every run). */
  public boolean ok() {
    return error.isEmpty();
  }

  /** One tab-separated line, without a line end. */
  public String toLine() {
    StringBuilder warm = new StringBuilder();
    for (double w : warmMs) {
      warm.append(warm.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", w));
    }
    return String.join("\t", mode, query, String.format(Locale.ROOT, "%.3f", coldMs),
        warm.toString(), Long.toString(rows), checksum, Boolean.toString(stable),
        Long.toString(coldHits), Long.toString(coldMisses), Long.toString(coldAdded),
        Long.toString(warmHits), Long.toString(warmMisses), Long.toString(warmAdded),
        Long.toString(coldRequests.get()), Long.toString(coldRequests.head()),
        Long.toString(coldRequests.list()), Long.toString(warmRequests.get()),
        Long.toString(warmRequests.head()), Long.toString(warmRequests.list()),
        error.replace('\t', ' ').replace('\n', ' '));
  }

  /** Parses {@link #toLine()}. */
  public static QueryRecord parse(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != FIELDS) {
      throw new IllegalArgumentException("a query record has " + FIELDS + " fields, this has "
          + f.length + ": " + line);
    }
    double[] warm = f[3].isEmpty() ? new double[0]
        : Arrays.stream(f[3].split(",")).mapToDouble(Double::parseDouble).toArray();
    return new QueryRecord(f[0], f[1], Double.parseDouble(f[2]), warm, Long.parseLong(f[4]), f[5],
        Boolean.parseBoolean(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
        Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[11]),
        Long.parseLong(f[12]),
        new Requests(Long.parseLong(f[13]), Long.parseLong(f[14]), Long.parseLong(f[15])),
        new Requests(Long.parseLong(f[16]), Long.parseLong(f[17]), Long.parseLong(f[18])),
        f[19]);
  }
}
