// SPDX-License-Identifier: Apache-2.0
// TpcdsSuite -- every TPC-DS query over Parquet tables with Cellar off, cold and warm: same rows
package io.cellar.it

import io.cellar.it.tpcds.TpcdsData

/** [[TpcdsComparison]] over Parquet tables on the generated files. */
class TpcdsSuite extends TpcdsComparison {
  override protected def registerTables(): Unit = TpcdsData.register(spark, dataDir)
}
