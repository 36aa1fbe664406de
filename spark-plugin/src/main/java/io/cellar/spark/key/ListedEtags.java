// SPDX-License-Identifier: Apache-2.0
// ListedEtags -- the ETags a scan's listing returned, handed to the tasks that read its files
package io.cellar.spark.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.TaskContext;

/**
 * Spark hands a file's path, length and modification time to the reader of each split, but not
 * the ETag that an object store's listing returned (Hadoop's {@link EtagSource}). The scan node
 * takes the ETags from its listing on the driver and registers, at the start of each task, those
 * of the task's files here; the reader then finds them by path, with no request to the store.
 * A task's entries are dropped when it completes.
 *
 * <p>Thread-safe.
 */
public final class ListedEtags {
  /** Longer ETags are replaced by a digest, so that they fit in a chunk key. */
  static final int MAX_BYTES = 255;

  private static final Map<Long, Map<String, String>> BY_TASK = new ConcurrentHashMap<>();

  private ListedEtags() {}

  /** The ETag of a listed file status, empty when its file system gives none. */
  public static String of(FileStatus status) {
    if (!(status instanceof EtagSource s)) {
      return "";
    }
    String etag = s.getEtag();
    if (etag == null) {
      return "";
    }
    if (etag.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
      return etag;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(
          etag.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Registers ETags (URL-encoded path to ETag) for the files the current task reads; a no-op
   * outside a task or for an empty map.
   */
  public static void register(TaskContext task, Map<String, String> etags) {
    if (task == null || etags.isEmpty()) {
      return;
    }
    long id = task.taskAttemptId();
    Map<String, String> mine = BY_TASK.computeIfAbsent(id, k -> {
      task.addTaskCompletionListener(new org.apache.spark.util.TaskCompletionListener() {
        @Override
        public void onTaskCompletion(TaskContext context) {
          BY_TASK.remove(id);
        }
      });
      return new ConcurrentHashMap<>();
    });
    mine.putAll(etags);
  }

  /** The ETag registered for a path in the current task, empty when there is none. */
  static String ofTask(String path) {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return "";
    }
    Map<String, String> mine = BY_TASK.get(task.taskAttemptId());
    return mine == null ? "" : mine.getOrDefault(path, "");
  }

  /** Tasks with registered ETags (it returns to 0 as they complete). */
  public static int tasksRegistered() {
    return BY_TASK.size();
  }
}
