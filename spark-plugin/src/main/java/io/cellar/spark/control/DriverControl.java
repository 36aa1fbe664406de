// SPDX-License-Identifier: Apache-2.0
// DriverControl -- the driver's end of the control channel: queues requests, gathers answers
package io.cellar.spark.control;

import io.cellar.spark.control.ControlMessages.Answer;
import io.cellar.spark.control.ControlMessages.Poll;
import io.cellar.spark.control.ControlMessages.Request;
import io.cellar.spark.exec.CacheReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

/**
 * Reaches every executor of an application from the driver (the driver plugin answers the
 * executors' polls through it). The executors are those Spark's listener bus reports added and
 * not removed; a request waits, up to a timeout, for the answers of those that were there when
 * it was made and still are (an executor that has registered but not yet polled is waited for).
 *
 * <p>Thread-safe.
 */
public final class DriverControl {
  private static volatile DriverControl current;

  private final AtomicLong ids = new AtomicLong();
  private final Set<String> executors = new TreeSet<>();               // under this
  private final Map<String, List<Request>> queued = new HashMap<>();   // under this
  private final Map<Long, Map<String, CacheReport>> answers = new HashMap<>(); // under this

  /** The control of the running driver, or null when Cellar's plugin is not loaded. */
  public static DriverControl current() {
    return current;
  }

  /** Makes this the driver's control, following the application's executors. */
  public void start(SparkContext sc) {
    sc.addSparkListener(new SparkListener() {
      @Override
      public void onExecutorAdded(SparkListenerExecutorAdded e) {
        synchronized (DriverControl.this) {
          executors.add(e.executorId());
          DriverControl.this.notifyAll();
        }
      }

      @Override
      public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
        synchronized (DriverControl.this) {
          executors.remove(e.executorId());
          queued.remove(e.executorId());
          DriverControl.this.notifyAll();
        }
      }
    });
    current = this;
  }

  /** Stops answering (the application is stopping). */
  public void stop() {
    if (current == this) {
      current = null;
    }
  }

  /** Answers a message of the channel, or returns null when it is not one. */
  public Object receive(Object message) {
    if (message instanceof Poll p) {
      return poll(p.executor);
    }
    if (message instanceof Answer a) {
      synchronized (this) {
        Map<String, CacheReport> m = answers.get(a.id);
        if (m != null) {
          m.put(a.report.executor, a.report);
          notifyAll();
        }
      }
      return Boolean.TRUE;
    }
    return null;
  }

  private synchronized ArrayList<String[]> poll(String executor) {
    List<Request> q = queued.remove(executor);
    ArrayList<String[]> out = new ArrayList<>();
    if (q != null) {
      q.forEach(r -> out.add(r.encode()));
    }
    return out;
  }

  /** The application's executors, by id. */
  public synchronized List<String> liveExecutors() {
    return new ArrayList<>(executors);
  }

  /** Those of the given executors that are still there (lock held). */
  private List<String> stillThere(List<String> live) {
    List<String> out = new ArrayList<>(live);
    out.retainAll(executors);
    return out;
  }

  /**
   * Sends a request to every live executor and waits for their answers.
   *
   * @param clear drop the chunks of {@code paths} before reporting
   * @param paths URL-encoded file paths, or null for every file
   * @param tables whether to count chunks and bytes per table too
   * @param timeoutMillis the longest wait
   * @return the answers by executor; an executor that did not answer in time is missing
   */
  public Map<String, CacheReport> ask(boolean clear, List<String> paths, boolean tables,
      long timeoutMillis) throws InterruptedException {
    long id = ids.incrementAndGet();
    Request r = new Request(id, clear, paths, tables);
    List<String> live = liveExecutors();
    synchronized (this) {
      answers.put(id, new HashMap<>());
      for (String e : live) {
        queued.computeIfAbsent(e, k -> new ArrayList<>()).add(r);
      }
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      try {
        while (!answers.get(id).keySet().containsAll(stillThere(live))) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          wait(Math.max(1, left / 1_000_000L));
        }
        return new HashMap<>(answers.get(id));
      } finally {
        answers.remove(id);
        for (String e : live) {
          List<Request> q = queued.get(e);
          if (q != null) {
            q.remove(r);
          }
        }
      }
    }
  }
}
