// SPDX-License-Identifier: Apache-2.0
// ChunkTypes -- which Spark types a chunk holds, and in which node kind
package io.cellar.spark.chunk;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.types.YearMonthIntervalType;

/** Maps Spark types to chunk node kinds; the single place that decides what can be cached. */
public final class ChunkTypes {
  private ChunkTypes() {}

  /** Bytes per value of a fixed-width type, or 0 when the type is not fixed-width. */
  static int width(DataType t) {
    if (t instanceof BooleanType || t instanceof ByteType) {
      return 1;
    }
    if (t instanceof ShortType) {
      return 2;
    }
    if (t instanceof IntegerType
        || t instanceof DateType
        || t instanceof FloatType
        || t instanceof YearMonthIntervalType) {
      return 4;
    }
    if (t instanceof LongType
        || t instanceof DoubleType
        || t instanceof TimestampType
        || t instanceof TimestampNTZType
        || t instanceof DayTimeIntervalType) {
      return 8;
    }
    if (t instanceof DecimalType d) {
      return d.precision() <= 9 ? 4 : d.precision() <= 18 ? 8 : 0;
    }
    return 0;
  }

  /** The node kind that holds values of type t, or 0 when chunks cannot hold it. */
  static int kind(DataType t) {
    if (width(t) > 0) {
      return ChunkFormat.FIXED;
    }
    if (t instanceof StringType || t instanceof BinaryType || t instanceof DecimalType) {
      return ChunkFormat.VAR;
    }
    if (t instanceof ArrayType) {
      return ChunkFormat.ARRAY;
    }
    if (t instanceof MapType) {
      return ChunkFormat.MAP;
    }
    if (t instanceof StructType) {
      return ChunkFormat.STRUCT;
    }
    if (t instanceof NullType) {
      return ChunkFormat.NULLS;
    }
    return 0;
  }

  /**
   * Why a column of type t cannot be cached, or null when it can. Variant, geospatial, time and
   * user-defined types are read by Spark's reader every time; their layouts may follow.
   */
  public static String unsupportedReason(DataType t) {
    if (t instanceof ArrayType a) {
      return unsupportedReason(a.elementType());
    }
    if (t instanceof MapType m) {
      String r = unsupportedReason(m.keyType());
      return r != null ? r : unsupportedReason(m.valueType());
    }
    if (t instanceof StructType s) {
      for (StructField f : s.fields()) {
        String r = unsupportedReason(f.dataType());
        if (r != null) {
          return r;
        }
      }
      return null;
    }
    return kind(t) == 0 ? "type " + t.simpleString() + " has no chunk layout" : null;
  }

  static boolean isFloat(DataType t) {
    return t instanceof FloatType;
  }

  static boolean isDouble(DataType t) {
    return t instanceof DoubleType;
  }

  static boolean isBoolean(DataType t) {
    return t instanceof BooleanType;
  }
}
