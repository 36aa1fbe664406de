// SPDX-License-Identifier: Apache-2.0
// StaleChunks -- evicts cached chunks whose source file changed or vanished since they were cached
package io.cellar.spark.exec;

import io.cellar.scheduler.FileId;
import io.cellar.spark.key.ChunkKey;
import io.cellar.spark.key.ListedEtags;
import io.cellar.vmem.ByteCache;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chunk's key carries its file's identity (path, length, modification time, ETag), so a chunk
 * of a file rewritten since is never served: a query's listing gives the new identity, whose
 * keys differ. Such chunks would only hold space until the LRU drops them; this sweep, run once
 * when a cache starts with contents, looks each file up and evicts the chunks of files that
 * changed or no longer exist, and the keys of earlier key layouts. A file that cannot be looked
 * up (no credentials, file system down) keeps its chunks: they are still never served for other
 * content.
 */
public final class StaleChunks {
  private static final Logger LOG = LoggerFactory.getLogger(StaleChunks.class);

  /** What a sweep kept and evicted. */
  public record Result(List<byte[]> kept, int files, int staleFiles, long evicted) {}

  private StaleChunks() {}

  /**
   * Evicts the chunks of changed files among {@code keys}; returns the keys kept (keys that are
   * not chunk keys are kept as they are).
   *
   * @param conf the application's settings; {@code spark.hadoop.*} reach the file systems
   */
  public static Result sweep(ByteCache cache, List<byte[]> keys, Map<String, String> conf) {
    Configuration hadoop = new Configuration();
    conf.forEach((k, v) -> {
      if (k.startsWith("spark.hadoop.")) {
        hadoop.set(k.substring("spark.hadoop.".length()), v);
      }
    });
    Map<FileId, Boolean> current = new HashMap<>();
    List<byte[]> kept = new ArrayList<>(keys.size());
    long evicted = 0;
    for (byte[] key : keys) {
      ChunkKey k;
      try {
        k = ChunkKey.decode(key);
      } catch (IllegalArgumentException notAChunk) {
        if (ChunkKey.isOlderVersion(key)) {
          // a key of an earlier layout, which no reader of this version asks for
          if (cache.evict(key)) {
            evicted++;
          }
        } else {
          kept.add(key);
        }
        continue;
      }
      if (current.computeIfAbsent(k.file(), f -> unchanged(f, hadoop))) {
        kept.add(key);
      } else if (cache.evict(key)) {
        evicted++;
      }
    }
    int stale = (int) current.values().stream().filter(ok -> !ok).count();
    return new Result(kept, current.size(), stale, evicted);
  }

  /** Whether the file still has the identity; true when it cannot be looked up. */
  static boolean unchanged(FileId f, Configuration hadoop) {
    try {
      Path p = new Path(new URI(f.path()));
      FileSystem fs = p.getFileSystem(hadoop);
      FileStatus s = fs.getFileStatus(p);
      return s.getLen() == f.length() && s.getModificationTime() == f.modificationTime()
          && (f.etag().isEmpty() || f.etag().equals(ListedEtags.of(s)));
    } catch (FileNotFoundException gone) {
      return false;
    } catch (IOException | IllegalArgumentException | java.net.URISyntaxException e) {
      LOG.debug("Cellar: cannot look up {}; its chunks stay", f.path(), e);
      return true;
    }
  }
}
