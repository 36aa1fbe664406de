// SPDX-License-Identifier: Apache-2.0
// DeletionVectorColumn -- Delta's is-row-deleted column, made from the file's deletion vector
package io.cellar.spark.delta;

import io.cellar.spark.chunk.WrappedVector;
import io.cellar.spark.read.GeneratedColumn;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.delta.DeltaParquetFileFormat;
import org.apache.spark.sql.delta.RowIndexFilter;
import org.apache.spark.sql.delta.RowIndexFilterType;
import org.apache.spark.sql.delta.actions.DeletionVectorDescriptor;
import org.apache.spark.sql.delta.deletionvectors.DropMarkedRowsFilter;
import org.apache.spark.sql.delta.deletionvectors.KeepAllRowsFilter$;
import org.apache.spark.sql.delta.deletionvectors.KeepMarkedRowsFilter;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.DataTypes;
import scala.Option;

/**
 * Delta's {@code __delta_internal_is_row_deleted} column for one file: each row's mark from the
 * deletion vector that the scan's snapshot gives the file (in the split's constant metadata), as
 * Delta's own reader makes it. It is made on every read and never cached, so a deletion vector
 * added to a file whose chunks are all cached takes effect at the next read.
 */
final class DeletionVectorColumn implements GeneratedColumn {
  private static final long serialVersionUID = 1L;

  /** The table's root, where relative deletion-vector files are found; null when none. */
  private final String tablePath;

  DeletionVectorColumn(String tablePath) {
    this.tablePath = tablePath;
  }

  @Override
  public Values open(PartitionedFile file, Configuration conf, int capacity) {
    RowIndexFilter filter = filter(file, conf);
    OnHeapColumnVector marks = new OnHeapColumnVector(capacity, DataTypes.ByteType);
    return GeneratedColumn.of(new WrappedVector(marks),
        (first, rows) -> filter.materializeIntoVector(first, first + rows, marks), marks::close);
  }

  /** The file's row filter, as Delta's reader builds it from the split's metadata. */
  private RowIndexFilter filter(PartitionedFile file, Configuration conf) {
    var meta = file.otherConstantMetadataColumnValues();
    Option<Object> id = meta.get(DeltaParquetFileFormat.FILE_ROW_INDEX_FILTER_ID_ENCODED());
    Option<Object> type = meta.get(DeltaParquetFileFormat.FILE_ROW_INDEX_FILTER_TYPE());
    if (id.isEmpty() && type.isEmpty()) {
      return KeepAllRowsFilter$.MODULE$;
    }
    if (id.isEmpty() || type.isEmpty()) {
      throw new IllegalStateException("a deletion vector of " + file.urlEncodedPath()
          + " has an id or a filter type but not both");
    }
    DeletionVectorDescriptor dv = DeletionVectorDescriptor.deserializeFromBase64((String) id.get());
    Option<Path> root = tablePath == null ? Option.empty() : Option.apply(new Path(tablePath));
    if (type.get() == RowIndexFilterType.IF_CONTAINED) {
      return DropMarkedRowsFilter.createInstance(dv, conf, root);
    }
    if (type.get() == RowIndexFilterType.IF_NOT_CONTAINED) {
      return KeepMarkedRowsFilter.createInstance(dv, conf, root);
    }
    throw new IllegalStateException("unexpected row index filter type " + type.get() + " for "
        + file.urlEncodedPath());
  }
}
