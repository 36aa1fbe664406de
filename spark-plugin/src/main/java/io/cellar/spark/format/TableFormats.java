// SPDX-License-Identifier: Apache-2.0
// TableFormats -- the table-format integrations present in this JVM
package io.cellar.spark.format;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TableFormat} integrations whose formats are on the class path. An integration that
 * cannot link (a format version whose classes differ from those it was built against) is
 * switched off with one warning, and its tables are read by the format's own reader; a scan it
 * cannot serve is read that way too: never a failed query.
 */
public final class TableFormats {
  private static final Logger LOG = LoggerFactory.getLogger(TableFormats.class);
  private static final List<TableFormat> ACTIVE = new ArrayList<>(load());

  private TableFormats() {}

  private static List<TableFormat> load() {
    List<TableFormat> found = new ArrayList<>();
    Iterator<TableFormat> it =
        ServiceLoader.load(TableFormat.class, TableFormats.class.getClassLoader()).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        TableFormat f = it.next();
        if (f.available()) {
          LOG.info("Cellar: {} integration active", f.name());
          found.add(f);
        } else {
          LOG.debug("Cellar: {} is not on the class path; its integration is off", f.name());
        }
      } catch (ServiceConfigurationError | LinkageError e) {
        LOG.warn("Cellar: a table-format integration could not be loaded; its tables are read"
            + " uncached", e);
      }
    }
    return found;
  }

  /** The names of the active integrations. */
  public static synchronized List<String> active() {
    List<String> names = new ArrayList<>();
    for (TableFormat f : ACTIVE) {
      names.add(f.name());
    }
    return names;
  }

  /** Cellar's format for a relation of an active table format, or null. */
  public static synchronized FileFormat cachedFormat(HadoopFsRelation relation) {
    for (TableFormat f : new ArrayList<>(ACTIVE)) {
      try {
        FileFormat c = f.cachedFormat(relation);
        if (c != null) {
          return c;
        }
      } catch (LinkageError e) {
        disable(f, e);
      } catch (RuntimeException e) {
        LOG.warn("Cellar: the {} integration cannot serve a scan of {}; it is read uncached",
            f.name(), relation.location().getClass().getSimpleName(), e);
      }
    }
    return null;
  }

  /** Whether a relation reads an active table format's own metadata. */
  public static synchronized boolean isMetadata(HadoopFsRelation relation) {
    for (TableFormat f : new ArrayList<>(ACTIVE)) {
      try {
        if (f.isMetadata(relation)) {
          return true;
        }
      } catch (LinkageError e) {
        disable(f, e);
      } catch (RuntimeException e) {
        LOG.warn("Cellar: the {} integration cannot classify a relation; it is cached",
            f.name(), e);
      }
    }
    return false;
  }

  private static void disable(TableFormat f, Throwable e) {
    ACTIVE.remove(f);
    LOG.warn("Cellar: the {} integration failed and is now off; its tables are read by the"
        + " format's own reader, uncached", f.name(), e);
  }
}
