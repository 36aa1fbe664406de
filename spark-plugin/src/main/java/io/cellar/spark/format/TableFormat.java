// SPDX-License-Identifier: Apache-2.0
// TableFormat -- what a table format's integration (Delta Lake) tells Cellar about its scans
package io.cellar.spark.format;

import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;

/**
 * A table format whose scans Cellar can serve although they read through the format's own
 * subclass of Spark's Parquet format (Delta Lake's, with deletion vectors and column mapping).
 * Integrations are found with {@link java.util.ServiceLoader}; one whose format's classes are
 * not on the class path says so in {@link #available()} and is never asked anything else. The
 * core knows no table format: everything a format needs lives in its integration.
 */
public interface TableFormat {

  /** A short name for logs ("Delta Lake"). */
  String name();

  /** Whether the format's classes are present, so that the other methods may be called. */
  boolean available();

  /**
   * The format that reads this relation's files through Cellar with the table format's
   * behaviour intact (a subclass of {@code CellarParquetFileFormat}), or null when the relation
   * is not this format's or its reads cannot be served. Called on finished physical plans,
   * after the table format's own planning.
   */
  FileFormat cachedFormat(HadoopFsRelation relation);

  /** Whether a relation reads the table format's own metadata (a log checkpoint): not cached. */
  boolean isMetadata(HadoopFsRelation relation);
}
