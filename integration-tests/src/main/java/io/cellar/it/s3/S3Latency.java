// SPDX-License-Identifier: Apache-2.0
// S3Latency -- the latency and bandwidth profile S3Proxy gives the loopback object store
package io.cellar.it.s3;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What each request to the loopback object store costs, through S3Proxy's latency middleware
 * ({@code s3proxy.latency-blobstore.*}): a wait before every GET, HEAD and LIST, and a bandwidth
 * cap on every GET stream. {@link #IN_REGION} is close to an object store seen from compute in
 * the same region; {@link #NONE} leaves loopback as it is (the test suites' setting).
 *
 * @param getMs milliseconds before each GET (ranged or not)
 * @param headMs milliseconds before each HEAD
 * @param listMs milliseconds before each LIST
 * @param getMegabytesPerSecond bandwidth of one GET stream in 10^6 bytes per second; 0: no cap
 */
public record S3Latency(int getMs, int headMs, int listMs, int getMegabytesPerSecond) {
  /** No added latency, no bandwidth cap. */
  public static final S3Latency NONE = new S3Latency(0, 0, 0, 0);
  /** 15 ms per GET and HEAD, 30 ms per LIST, 100 MB/s per GET stream. */
  public static final S3Latency IN_REGION = new S3Latency(15, 15, 30, 100);

  public S3Latency {
    if (getMs < 0 || headMs < 0 || listMs < 0 || getMegabytesPerSecond < 0) {
      throw new IllegalArgumentException("S3 latencies and bandwidth must be 0 or more, were "
          + getMs + ", " + headMs + ", " + listMs + " ms and " + getMegabytesPerSecond
          + " MB/s");
    }
  }

  /** Whether the profile adds nothing. */
  public boolean none() {
    return equals(NONE);
  }

  /** S3Proxy's properties for this profile (none for {@link #NONE}). */
  Map<String, String> s3proxyProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    if (none()) {
      return p;
    }
    String k = "s3proxy.latency-blobstore.";
    // S3Proxy's operation names: a GET object is "get", a HEAD object "metadata", a listing
    // "list"; the speed is in bytes per millisecond
    p.put(k + "get.latency", Integer.toString(getMs));
    p.put(k + "metadata.latency", Integer.toString(headMs));
    p.put(k + "list.latency", Integer.toString(listMs));
    if (getMegabytesPerSecond > 0) {
      p.put(k + "get.speed", Long.toString(getMegabytesPerSecond * 1000L));
    }
    return p;
  }

  /** One line for reports. */
  public String describe() {
    if (none()) {
      return "no added latency, no bandwidth cap";
    }
    return String.format(Locale.ROOT, "%d ms per GET, %d ms per HEAD, %d ms per LIST, %s per"
        + " GET stream", getMs, headMs, listMs,
        getMegabytesPerSecond == 0 ? "no bandwidth cap" : getMegabytesPerSecond + " MB/s");
  }
}
