// SPDX-License-Identifier: Apache-2.0
// TestPointUdt -- a user-defined type for the suites: a point stored as a struct of two doubles
package io.cellar.spark

import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.types.{DataType, DoubleType, SQLUserDefinedType, StructType,
  UserDefinedType}

/** A point; stored in Parquet through [[TestPointUdt]]. */
@SQLUserDefinedType(udt = classOf[TestPointUdt])
case class TestPoint(x: Double, y: Double) {
  override def toString: String = s"($x, $y)"
}

/** A user-defined type, which no chunk layout holds on any Spark line. */
class TestPointUdt extends UserDefinedType[TestPoint] {
  override def sqlType: DataType = new StructType().add("x", DoubleType).add("y", DoubleType)

  override def serialize(p: TestPoint): Any = InternalRow(p.x, p.y)

  override def deserialize(datum: Any): TestPoint = datum match {
    case r: InternalRow => TestPoint(r.getDouble(0), r.getDouble(1))
  }

  override def userClass: Class[TestPoint] = classOf[TestPoint]
}
