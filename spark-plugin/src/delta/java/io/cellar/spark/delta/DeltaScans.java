// SPDX-License-Identifier: Apache-2.0
// DeltaScans -- which Delta relations Cellar serves, and how a Delta scan's reads are set up
package io.cellar.spark.delta;

import io.cellar.spark.conf.CellarConf;
import io.cellar.spark.read.GeneratedColumn;
import io.cellar.spark.read.RowIndexColumn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.delta.DeltaLogFileIndex;
import org.apache.spark.sql.delta.DeltaParquetFileFormat;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.EqualNullSafe;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.GreaterThanOrEqual;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.sources.IsNotNull;
import org.apache.spark.sql.sources.IsNull;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.LessThanOrEqual;
import org.apache.spark.sql.sources.Not;
import org.apache.spark.sql.sources.Or;
import org.apache.spark.sql.sources.StringContains;
import org.apache.spark.sql.sources.StringEndsWith;
import org.apache.spark.sql.sources.StringStartsWith;
import org.apache.spark.sql.types.StructType;

/** The Delta side of the integration; every Delta class Cellar uses is reached from here. */
final class DeltaScans {
  private DeltaScans() {}

  /** Cellar's format for a scan of a Delta table's data files, or null. */
  static FileFormat cachedFormat(HadoopFsRelation relation) {
    if (relation.fileFormat() instanceof DeltaParquetFileFormat d && !isLog(relation)
        && !CellarConf.optsOut(d.metadata().configuration()
            .get(CellarConf.TABLE_PROPERTY).getOrElse(() -> null))) {
      return new CellarDeltaFormat(d, null, mayReadVacuumed(d, relation));
    }
    return null;
  }

  /**
   * Whether a scan may list files that VACUUM has deleted: a change-data-feed read, or a read of
   * any snapshot but the newest this JVM knows of (time travel; VACUUM keeps the newest
   * version's files). Such a scan confirms that each file still exists before serving it from
   * the cache, so that it fails, as Delta's reader does, rather than serve deleted data.
   */
  private static boolean mayReadVacuumed(DeltaParquetFileFormat d,
      HadoopFsRelation relation) {
    if (d.isCDCRead()) {
      return true;
    }
    if (relation.location() instanceof TahoeFileIndex t) {
      return t.version() < t.deltaLog().unsafeVolatileSnapshot().version();
    }
    return true;
  }

  /**
   * Whether a relation reads a Delta log: its checkpoints are Parquet files that Delta reads
   * once per new snapshot into its own state cache, so Cellar leaves them uncached.
   */
  static boolean isLog(HadoopFsRelation relation) {
    return relation.location() instanceof DeltaLogFileIndex;
  }

  /**
   * The requested columns Delta's reader makes rather than reads: the is-row-deleted marks from
   * the deletion vector, and Delta's own row-index column (which, as the cached reader serves
   * every row group of a file in order, is each row's index in the file, as Delta counts it).
   */
  static Map<String, GeneratedColumn> generated(DeltaParquetFileFormat delta,
      StructType required) {
    Map<String, GeneratedColumn> g = new HashMap<>();
    for (String name : required.fieldNames()) {
      if (name.equals(DeltaParquetFileFormat.IS_ROW_DELETED_COLUMN_NAME())) {
        g.put(name, new DeletionVectorColumn(
            delta.tablePath().isDefined() ? delta.tablePath().get() : null));
      } else if (name.equals(DeltaParquetFileFormat.ROW_INDEX_COLUMN_NAME())) {
        g.put(name, new RowIndexColumn());
      }
    }
    return g;
  }

  /**
   * The filters Delta's reader pushes into Parquet, for row-group skipping: none when the
   * format's optimizations are off; with column mapping, each logical column named by its
   * physical name, dropping (weakening to true) what cannot be named, and only where dropping
   * keeps the filter implied by the original (never under a NOT).
   *
   * @param physical logical to physical column names, as filters write them (dotted paths of
   *     quoted parts); null without column mapping
   */
  static Filter[] pushed(DeltaParquetFileFormat delta, Filter[] filters,
      Map<String, String> physical) {
    if (!delta.optimizationsEnabled()) {
      return new Filter[0];
    }
    if (physical == null) {
      return filters.clone();
    }
    List<Filter> out = new ArrayList<>();
    for (Filter f : filters) {
      Filter t = weakened(f, physical);
      if (t != null) {
        out.add(t);
      }
    }
    return out.toArray(new Filter[0]);
  }

  /** A filter implied by f in physical names, or null (true). */
  private static Filter weakened(Filter f, Map<String, String> names) {
    if (f instanceof And a) {
      Filter l = weakened(a.left(), names);
      Filter r = weakened(a.right(), names);
      return l == null ? r : r == null ? l : new And(l, r);
    }
    if (f instanceof Or o) {
      Filter l = weakened(o.left(), names);
      Filter r = weakened(o.right(), names);
      return l == null || r == null ? null : new Or(l, r);
    }
    return exact(f, names);
  }

  /** f in physical names, or null when some part of it cannot be named. */
  private static Filter exact(Filter f, Map<String, String> names) {
    if (f instanceof And a) {
      Filter l = exact(a.left(), names);
      Filter r = exact(a.right(), names);
      return l == null || r == null ? null : new And(l, r);
    }
    if (f instanceof Or o) {
      Filter l = exact(o.left(), names);
      Filter r = exact(o.right(), names);
      return l == null || r == null ? null : new Or(l, r);
    }
    if (f instanceof Not n) {
      Filter c = exact(n.child(), names);
      return c == null ? null : new Not(c);
    }
    String[] refs = f.references();
    if (refs.length != 1) {
      return null;
    }
    String p = names.get(refs[0]);
    if (p == null) {
      return null;
    }
    if (f instanceof EqualTo x) {
      return new EqualTo(p, x.value());
    } else if (f instanceof EqualNullSafe x) {
      return new EqualNullSafe(p, x.value());
    } else if (f instanceof GreaterThan x) {
      return new GreaterThan(p, x.value());
    } else if (f instanceof GreaterThanOrEqual x) {
      return new GreaterThanOrEqual(p, x.value());
    } else if (f instanceof LessThan x) {
      return new LessThan(p, x.value());
    } else if (f instanceof LessThanOrEqual x) {
      return new LessThanOrEqual(p, x.value());
    } else if (f instanceof In x) {
      return new In(p, x.values());
    } else if (f instanceof IsNull) {
      return new IsNull(p);
    } else if (f instanceof IsNotNull) {
      return new IsNotNull(p);
    } else if (f instanceof StringStartsWith x) {
      return new StringStartsWith(p, x.value());
    } else if (f instanceof StringEndsWith x) {
      return new StringEndsWith(p, x.value());
    } else if (f instanceof StringContains x) {
      return new StringContains(p, x.value());
    }
    return null;
  }
}
