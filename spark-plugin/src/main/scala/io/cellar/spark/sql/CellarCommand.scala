// SPDX-License-Identifier: Apache-2.0
// CellarCommand -- the logical plan of a CELLAR statement: Spark runs it as a command
package io.cellar.spark.sql

import scala.jdk.CollectionConverters._

import org.apache.spark.sql.{Row, SparkSession}
import org.apache.spark.sql.catalyst.expressions.{Attribute, AttributeReference}
import org.apache.spark.sql.execution.command.LeafRunnableCommand

/**
 * A CELLAR statement as a command: Spark runs it when the statement's Dataset is made (as it
 * does `CACHE TABLE`), and its rows are [[CellarCommands]]'s.
 */
case class CellarCommand(statement: CellarStatement) extends LeafRunnableCommand {
  override lazy val output: Seq[Attribute] = CellarCommands.schema(statement).fields.toSeq
    .map(f => AttributeReference(f.name, f.dataType, f.nullable)())

  override def run(sparkSession: SparkSession): Seq[Row] =
    CellarCommands.run(sparkSession, statement).asScala.toList
}
