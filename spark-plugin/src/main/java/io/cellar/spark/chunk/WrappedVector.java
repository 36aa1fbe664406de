// SPDX-License-Identifier: Apache-2.0
// WrappedVector -- presents a vector of Spark's reader as a CellarColumnVector
package io.cellar.spark.chunk;

import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

/** A vector decoded by Spark's reader, passed through unchanged for a column not served cached. */
public final class WrappedVector extends CellarColumnVector {
  private ColumnVector v;

  public WrappedVector(ColumnVector delegate) {
    super(delegate.dataType());
    this.v = delegate;
  }

  /** A wrapper of a column of the given type, to be pointed at a vector with {@link #wrap}. */
  public WrappedVector(org.apache.spark.sql.types.DataType type) {
    super(type);
  }

  /** Points at the vector of the reader's current batch. */
  public void wrap(ColumnVector delegate) {
    this.v = delegate;
  }

  @Override
  public boolean hasNull() {
    return v.hasNull();
  }

  @Override
  public int numNulls() {
    return v.numNulls();
  }

  @Override
  public boolean isNullAt(int rowId) {
    return v.isNullAt(rowId);
  }

  @Override
  public boolean getBoolean(int rowId) {
    return v.getBoolean(rowId);
  }

  @Override
  public byte getByte(int rowId) {
    return v.getByte(rowId);
  }

  @Override
  public short getShort(int rowId) {
    return v.getShort(rowId);
  }

  @Override
  public int getInt(int rowId) {
    return v.getInt(rowId);
  }

  @Override
  public long getLong(int rowId) {
    return v.getLong(rowId);
  }

  @Override
  public float getFloat(int rowId) {
    return v.getFloat(rowId);
  }

  @Override
  public double getDouble(int rowId) {
    return v.getDouble(rowId);
  }

  @Override
  public ColumnarArray getArray(int rowId) {
    return v.getArray(rowId);
  }

  @Override
  public ColumnarMap getMap(int ordinal) {
    return v.getMap(ordinal);
  }

  @Override
  public Decimal getDecimal(int rowId, int precision, int scale) {
    return v.getDecimal(rowId, precision, scale);
  }

  @Override
  public UTF8String getUTF8String(int rowId) {
    return v.getUTF8String(rowId);
  }

  @Override
  public byte[] getBinary(int rowId) {
    return v.getBinary(rowId);
  }

  @Override
  public ColumnVector getChild(int ordinal) {
    return v.getChild(ordinal);
  }
}
