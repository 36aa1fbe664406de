// SPDX-License-Identifier: Apache-2.0
// CellarReader -- the per-file read function a cached scan ships to the executors
package io.cellar.spark.read;

import io.cellar.spark.chunk.WrappedVector;
import io.cellar.spark.exec.ExecutorCache;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.SerializableConfiguration;
import scala.Function1;
import scala.collection.AbstractIterator;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * Reads one file split for a cached scan: through the cache when the executor has one, otherwise
 * (or when the cache fails) through Spark's own reader, whose vectors are then wrapped so that
 * they match the vector class the scan declared. A cache problem never fails the query.
 */
public final class CellarReader extends AbstractFunction1<PartitionedFile, Iterator<InternalRow>>
    implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Function1<PartitionedFile, Iterator<InternalRow>> spark;
  private final ReadSettings settings;
  private final Broadcast<SerializableConfiguration> conf;
  private final ScanMetrics metrics;

  public CellarReader(
      Function1<PartitionedFile, Iterator<InternalRow>> spark,
      ReadSettings settings,
      Broadcast<SerializableConfiguration> conf,
      ScanMetrics metrics) {
    this.spark = spark;
    this.settings = settings;
    this.conf = conf;
    this.metrics = metrics;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Iterator<InternalRow> apply(PartitionedFile file) {
    ExecutorCache cache = ExecutorCache.get();
    if (cache.available()) {
      try {
        Object it = new CachedFileReader(settings, conf.value().value(), file, cache, metrics,
            cache.footers());
        return (Iterator<InternalRow>) it;
      } catch (FileNotFoundException e) {
        // the file is gone: Spark's own handling applies (ignoreMissingFiles or the error)
        throw CellarReader.<RuntimeException>unchecked(e);
      } catch (CachedFileReader.NotCacheable e) {
        // left to Spark's reader on purpose (an encrypted file): no warning
      } catch (IOException | RuntimeException e) {
        if (settings.strict) {
          throw new IllegalStateException("Cellar (strict): cached read of " + file + " failed",
              e);
        }
        cache.warnFallback("file " + file.urlEncodedPath(), e);
      }
    } else {
      cache.fallbacks.incrementAndGet();
    }
    if (metrics != null) {
      metrics.fallbacks.add(1);
    }
    return (Iterator<InternalRow>) (Object) new Wrapping(spark.apply(file),
        settings.requiredSchema.length());
  }

  /** Throws a checked exception where Scala callers catch it but Java cannot declare it. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E unchecked(Throwable e) throws E {
    throw (E) e;
  }

  /** Spark's batches with their data columns wrapped in {@link WrappedVector}s. */
  private static final class Wrapping extends AbstractIterator<Object> implements Closeable {
    private final Iterator<InternalRow> in;
    private final int dataColumns;
    private WrappedVector[] wrappers;

    Wrapping(Iterator<InternalRow> in, int dataColumns) {
      this.in = in;
      this.dataColumns = dataColumns;
    }

    @Override
    public boolean hasNext() {
      return in.hasNext();
    }

    @Override
    public Object next() {
      ColumnarBatch b = (ColumnarBatch) (Object) in.next();
      ColumnVector[] cols = new ColumnVector[b.numCols()];
      if (wrappers == null) {
        wrappers = new WrappedVector[dataColumns];
        for (int i = 0; i < dataColumns; i++) {
          wrappers[i] = new WrappedVector(b.column(i));
        }
      }
      for (int i = 0; i < cols.length; i++) {
        if (i < dataColumns) {
          wrappers[i].wrap(b.column(i));
          cols[i] = wrappers[i];
        } else {
          cols[i] = b.column(i);
        }
      }
      return new ColumnarBatch(cols, b.numRows());
    }

    @Override
    public void close() throws IOException {
      if (in instanceof Closeable c) {
        c.close();
      }
    }
  }
}
