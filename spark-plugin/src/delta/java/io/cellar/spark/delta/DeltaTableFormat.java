// SPDX-License-Identifier: Apache-2.0
// DeltaTableFormat -- Cellar's Delta Lake integration, active when Delta's classes are present
package io.cellar.spark.delta;

import io.cellar.spark.format.TableFormat;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;

/**
 * The Delta Lake integration, found by {@link java.util.ServiceLoader}. This class names no Delta
 * class, so that it loads (and says it is unavailable) when Delta is not on the class path; all
 * of Delta is behind {@link DeltaScans}.
 */
public final class DeltaTableFormat implements TableFormat {
  /** Delta's Parquet format, the same class in every Delta release Cellar supports (3.3 to 4.4). */
  static final String DELTA_FORMAT = "org.apache.spark.sql.delta.DeltaParquetFileFormat";

  @Override
  public String name() {
    return "Delta Lake";
  }

  @Override
  public boolean available() {
    try {
      Class.forName(DELTA_FORMAT, false, DeltaTableFormat.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public FileFormat cachedFormat(HadoopFsRelation relation) {
    return DeltaScans.cachedFormat(relation);
  }

  @Override
  public boolean isMetadata(HadoopFsRelation relation) {
    return DeltaScans.isLog(relation);
  }
}
