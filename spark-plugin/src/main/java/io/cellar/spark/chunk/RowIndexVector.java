// SPDX-License-Identifier: Apache-2.0
// RowIndexVector -- the row-index metadata column, generated for rows served from the cache
package io.cellar.spark.chunk;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

/** Row indexes within the file: the row group's first row index plus the row's position. */
public final class RowIndexVector extends CellarColumnVector {
  private long first;

  public RowIndexVector() {
    super(DataTypes.LongType);
  }

  /** The file row index of row 0 of the current batch. */
  public void startAt(long firstRowIndex) {
    this.first = firstRowIndex;
  }

  @Override
  public boolean hasNull() {
    return false;
  }

  @Override
  public int numNulls() {
    return 0;
  }

  @Override
  public boolean isNullAt(int rowId) {
    return false;
  }

  @Override
  public long getLong(int rowId) {
    return first + rowId;
  }

  private static UnsupportedOperationException notLong() {
    return new UnsupportedOperationException("the row index column is a long");
  }

  @Override
  public boolean getBoolean(int rowId) {
    throw notLong();
  }

  @Override
  public byte getByte(int rowId) {
    throw notLong();
  }

  @Override
  public short getShort(int rowId) {
    throw notLong();
  }

  @Override
  public int getInt(int rowId) {
    throw notLong();
  }

  @Override
  public float getFloat(int rowId) {
    throw notLong();
  }

  @Override
  public double getDouble(int rowId) {
    throw notLong();
  }

  @Override
  public ColumnarArray getArray(int rowId) {
    throw notLong();
  }

  @Override
  public ColumnarMap getMap(int ordinal) {
    throw notLong();
  }

  @Override
  public Decimal getDecimal(int rowId, int precision, int scale) {
    throw notLong();
  }

  @Override
  public UTF8String getUTF8String(int rowId) {
    throw notLong();
  }

  @Override
  public byte[] getBinary(int rowId) {
    throw notLong();
  }

  @Override
  public ColumnVector getChild(int ordinal) {
    throw notLong();
  }
}
