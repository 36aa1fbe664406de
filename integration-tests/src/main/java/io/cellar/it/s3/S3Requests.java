// SPDX-License-Identifier: Apache-2.0
// S3Requests -- counts the requests this JVM's S3A clients send, by kind and object
package io.cellar.it.s3;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * An AWS SDK interceptor that S3A adds to its clients ({@code fs.s3a.audit.execution.interceptors},
 * see {@link S3Loopback#hadoopConf()}); it counts every request as it goes on the wire (each
 * attempt, retries included), by kind and object key. Counts are per JVM, which in local mode
 * holds the driver and the executor: the suites and each benchmark mode read them there.
 * Thread-safe.
 */
public final class S3Requests implements ExecutionInterceptor {
  /** Kinds of request. */
  public enum Kind {
    GET,
    HEAD,
    LIST,
    OTHER
  }

  /** One kind of request to one object (or prefix, for a listing). */
  record Target(Kind kind, String key) {}

  private static final Map<Target, LongAdder> COUNTS = new ConcurrentHashMap<>();

  /** S3A makes one per client, through its public no-argument constructor. */
  public S3Requests() {}

  @Override
  public void beforeTransmission(Context.BeforeTransmission context,
      ExecutionAttributes attributes) {
    SdkRequest r = context.request();
    Target t;
    if (r instanceof GetObjectRequest g) {
      t = new Target(Kind.GET, g.bucket() + "/" + g.key());
    } else if (r instanceof HeadObjectRequest h) {
      t = new Target(Kind.HEAD, h.bucket() + "/" + h.key());
    } else if (r instanceof ListObjectsV2Request l) {
      t = new Target(Kind.LIST, l.bucket() + "/" + l.prefix());
    } else if (r instanceof ListObjectsRequest l) {
      t = new Target(Kind.LIST, l.bucket() + "/" + l.prefix());
    } else {
      t = new Target(Kind.OTHER, r.getClass().getSimpleName());
    }
    COUNTS.computeIfAbsent(t, k -> new LongAdder()).increment();
  }

  /** The counts so far. */
  public static Snapshot snapshot() {
    Map<Target, Long> m = new HashMap<>();
    COUNTS.forEach((k, v) -> m.put(k, v.sum()));
    return new Snapshot(m);
  }

  /** Counts at one moment; {@link #minus} gives what happened between two. */
  public static final class Snapshot {
    private final Map<Target, Long> counts;

    Snapshot(Map<Target, Long> counts) {
      this.counts = counts;
    }

    /** Requests of a kind to objects whose key ({@code bucket/key}) passes the test. */
    public long count(Kind kind, Predicate<String> key) {
      long n = 0;
      for (Map.Entry<Target, Long> e : counts.entrySet()) {
        if (e.getKey().kind() == kind && key.test(e.getKey().key())) {
          n += e.getValue();
        }
      }
      return n;
    }

    /** Requests of a kind to Parquet data files ({@code *.parquet}). */
    public long dataFiles(Kind kind) {
      return count(kind, k -> k.endsWith(".parquet"));
    }

    /** Requests of a kind, to any object. */
    public long all(Kind kind) {
      return count(kind, k -> true);
    }

    /** What was counted since {@code earlier}. */
    public Snapshot minus(Snapshot earlier) {
      Map<Target, Long> m = new HashMap<>();
      counts.forEach((k, v) -> {
        long d = v - earlier.counts.getOrDefault(k, 0L);
        if (d != 0) {
          m.put(k, d);
        }
      });
      return new Snapshot(m);
    }

    @Override
    public String toString() {
      return "GET " + all(Kind.GET) + " (" + dataFiles(Kind.GET) + " of data files), HEAD "
          + all(Kind.HEAD) + " (" + dataFiles(Kind.HEAD) + "), LIST " + all(Kind.LIST)
          + ", other " + all(Kind.OTHER);
    }
  }
}
